/**
 * Meters for `npm run bench:cost`: SDK middleware on the stack's own DynamoDB and SQS clients that
 * counts every command, and turns DynamoDB's into read and write request units by the on-demand
 * rules, attributed to whichever role (api, worker, sweeper) made the call.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { TASK_INDEXES, TASK_TABLE, type TaskIndex } from '../lambda/shared/resources.js';

export type Role = 'api' | 'worker' | 'sweeper';

/** The role an async call chain runs as; the local queue poller (the worker) runs outside any. */
export const roleContext = new AsyncLocalStorage<Role>();
const currentRole = (): Role => roleContext.getStore() ?? 'worker';

/** A DynamoDB attribute value as the wire carries it. */
type AttributeValue = {
  S?: string;
  N?: string;
  B?: Uint8Array | string;
  BOOL?: boolean;
  NULL?: boolean;
  M?: Record<string, AttributeValue>;
  L?: AttributeValue[];
  SS?: string[];
  NS?: string[];
  BS?: Array<Uint8Array | string>;
};
type Item = Record<string, AttributeValue>;

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');
const binary = (b: Uint8Array | string) => (typeof b === 'string' ? Buffer.byteLength(b, 'base64') : b.byteLength);

/** A number's stored size: about one byte per two significant digits, plus one. */
function numberSize(n: string): number {
  const digits = n.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** An attribute value's size by DynamoDB's item-size rules (names and values in UTF-8; 3 bytes per map or list, 1 per element). */
export function attributeSize(v: AttributeValue): number {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return numberSize(v.N);
  if (v.B !== undefined) return binary(v.B);
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS) return v.SS.reduce((n, s) => n + utf8(s), 0);
  if (v.NS) return v.NS.reduce((n, s) => n + numberSize(s), 0);
  if (v.BS) return v.BS.reduce((n, b) => n + binary(b), 0);
  if (v.M) return 3 + Object.entries(v.M).reduce((n, [k, x]) => n + utf8(k) + attributeSize(x) + 1, 0);
  if (v.L) return 3 + v.L.reduce((n, x) => n + attributeSize(x) + 1, 0);
  return 0;
}

export const itemSize = (item: Item | undefined): number =>
  item ? Object.entries(item).reduce((n, [k, v]) => n + utf8(k) + attributeSize(v), 0) : 0;

const KB = 1_024;
const readUnits = (bytes: number, consistent: boolean) => Math.ceil(Math.max(1, bytes) / (4 * KB)) * (consistent ? 1 : 0.5);
const writeUnits = (bytes: number) => Math.ceil(Math.max(1, bytes) / KB);

/** What one role spent. */
export interface DynamoUsage {
  calls: Record<string, number>;
  rru: number;
  /** Table and index writes together. */
  wru: number;
  /** The part of `wru` spent keeping the secondary indexes. */
  indexWru: number;
}

const emptyUsage = (): DynamoUsage => ({ calls: {}, rru: 0, wru: 0, indexWru: 0 });

/** The item as an index holds it: its keys, the table key and the projected attributes; undefined when it is not in the (sparse) index. */
function projection(index: TaskIndex, item: Item | undefined): Item | undefined {
  if (!item || item[index.partitionKey] === undefined || item[index.sortKey] === undefined) return undefined;
  const keep = [TASK_TABLE.partitionKey, index.partitionKey, index.sortKey, ...index.projected];
  return Object.fromEntries(keep.filter((k) => item[k] !== undefined).map((k) => [k, item[k]!]));
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Index write units for one item changing from `before` to `after`: a put, a delete, an update, or both when its index key moved. */
export function indexWriteUnits(before: Item | undefined, after: Item | undefined): number {
  let units = 0;
  for (const index of TASK_INDEXES) {
    const old = projection(index, before);
    const now = projection(index, after);
    if (old && now) {
      const keyMoved = !same(old[index.partitionKey], now[index.partitionKey]) || !same(old[index.sortKey], now[index.sortKey]);
      if (keyMoved) units += writeUnits(itemSize(old)) + writeUnits(itemSize(now));
      else if (!same(old, now)) units += writeUnits(itemSize(now));
    } else if (now) units += writeUnits(itemSize(now));
    else if (old) units += writeUnits(itemSize(old));
  }
  return units;
}

/** Counts DynamoDB commands and their request units, by role; also when the worker touched each task. */
export class DynamoMeter {
  readonly byRole: Record<Role, DynamoUsage> = { api: emptyUsage(), worker: emptyUsage(), sweeper: emptyUsage() };
  /** The first and last moment a worker call for a task was running: the worker's busy span for it. */
  readonly workerSpans = new Map<string, { start: number; end: number }>();
  /** The last known version of each item (every write goes through here), for index and update sizes. */
  private readonly items = new Map<string, Item>();

  attach(client: DynamoDBDocumentClient): void {
    // At the build step the document client has marshalled the input and has not yet unmarshalled the output.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const role = currentRole();
        const usage = this.byRole[role];
        const command = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        usage.calls[command] = (usage.calls[command] ?? 0) + 1;
        const input = args.input as { Key?: Item; Item?: Item; ConsistentRead?: boolean; Select?: string };
        const taskId = (input.Key ?? input.Item)?.[TASK_TABLE.partitionKey]?.S;
        const started = performance.now();
        try {
          const result = await next(args);
          this.count(command, usage, input, result.output as Record<string, unknown>, taskId);
          return result;
        } catch (error) {
          // A failed condition is charged as a write of the item.
          if ((error as Error).name === 'ConditionalCheckFailedException') usage.wru += writeUnits(itemSize(this.items.get(taskId ?? '')));
          throw error;
        } finally {
          if (role === 'worker' && taskId) {
            const span = this.workerSpans.get(taskId);
            if (span) span.end = performance.now();
            else this.workerSpans.set(taskId, { start: started, end: performance.now() });
          }
        }
      },
      { step: 'build', name: 'costBenchDynamoMeter' },
    );
  }

  private count(
    command: string,
    usage: DynamoUsage,
    input: { Item?: Item; ConsistentRead?: boolean; Select?: string },
    output: Record<string, unknown>,
    taskId: string | undefined,
  ): void {
    const consistent = input.ConsistentRead === true;
    if (command === 'GetItem' || command === 'Get') {
      const item = output.Item as Item | undefined;
      usage.rru += readUnits(itemSize(item), consistent);
      if (item && taskId) this.items.set(taskId, item);
    } else if (command === 'Query') {
      const items = (output.Items as Item[] | undefined) ?? [];
      // A COUNT query reads the (keys-only) index entries it counts without returning them: about 100 bytes each.
      const bytes = input.Select === 'COUNT' ? Number(output.Count ?? 0) * 100 : items.reduce((n, i) => n + itemSize(i), 0);
      usage.rru += readUnits(bytes, consistent);
    } else if (command === 'PutItem' || command === 'Put' || command === 'UpdateItem' || command === 'Update') {
      const after = command.startsWith('Put') ? input.Item : (output.Attributes as Item | undefined);
      const before = taskId ? this.items.get(taskId) : undefined;
      const index = indexWriteUnits(before, after ?? before);
      usage.wru += writeUnits(Math.max(itemSize(before), itemSize(after))) + index;
      usage.indexWru += index;
      if (after && taskId) this.items.set(taskId, after);
    } else if (command === 'DeleteItem' || command === 'Delete') {
      const before = taskId ? this.items.get(taskId) : undefined;
      const index = indexWriteUnits(before, undefined);
      usage.wru += writeUnits(itemSize(before)) + index;
      usage.indexWru += index;
      if (taskId) this.items.delete(taskId);
    }
  }
}

/** SQS requests by role and command; receives split into those that brought messages and empty ones. */
export class SqsMeter {
  readonly byRole: Record<Role, Record<string, number>> = { api: {}, worker: {}, sweeper: {} };

  attach(client: SQSClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const counts = this.byRole[currentRole()];
        const result = await next(args);
        let command = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        if (command === 'ReceiveMessage') {
          const messages = (result.output as { Messages?: unknown[] }).Messages ?? [];
          command = messages.length > 0 ? 'ReceiveMessage' : 'ReceiveMessage (empty)';
          counts.messagesReceived = (counts.messagesReceived ?? 0) + messages.length;
        }
        counts[command] = (counts[command] ?? 0) + 1;
        return result;
      },
      { step: 'initialize', name: 'costBenchSqsMeter' },
    );
  }
}
