import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';

/** One step of an SDK middleware chain, reduced to what the injections touch. */
type Handler = (args: { input: object }) => Promise<unknown>;

/** An AWS SDK v3 client, as far as adding a middleware goes (the DocumentClient shares its client's stack). */
interface SdkClient {
  middlewareStack: {
    add(
      middleware: (next: Handler, context: { commandName?: string }) => Handler,
      options: { step: 'initialize'; name: string; priority: 'low' },
    ): void;
  };
}

/** The command about to be sent: its name (`UpdateItemCommand`) and input as our code passed it. */
export interface Call {
  command: string;
  input: Record<string, unknown>;
}

/** A fault added to a client (for the life of the client); `injected` counts what it did. */
export interface Injection {
  injected: number;
}

let nextId = 0;

/**
 * Adds a middleware at the `initialize` step — before serialization and the SDK's own retry loop —
 * so our code sees what it would see when every SDK retry was spent. `around` gets the call and the
 * rest of the chain, and may throw instead, call it, or call it more than once.
 */
function intercept(
  client: SdkClient,
  around: (call: Call, send: (input?: object) => Promise<unknown>, injection: Injection) => Promise<unknown>,
): Injection {
  const name = `faultInjection${nextId++}`;
  const injection: Injection = { injected: 0 };
  client.middlewareStack.add(
    (next, context) => (args) =>
      around(
        { command: context.commandName ?? '', input: args.input as Record<string, unknown> },
        (input = args.input) => next({ ...args, input }),
        injection,
      ),
    { step: 'initialize', name, priority: 'low' },
  );
  return injection;
}

/** Makes the calls `when` picks fail with `error()` before they are sent (nothing reaches the emulator). */
export function failCalls(client: SdkClient, when: (call: Call) => boolean, error: () => Error): Injection {
  return intercept(client, async (call, send, injection) => {
    if (when(call)) {
      injection.injected++;
      throw error();
    }
    return send();
  });
}

/** Sends every SendMessage `copies` extra times: one more at once, the rest delayed by `delaySeconds`. */
export function duplicateSends(client: SdkClient, copies: number, delaySeconds: number): Injection {
  return intercept(client, async (call, send, injection) => {
    const first = await send();
    if (call.command !== 'SendMessageCommand') return first;
    for (let i = 0; i < copies; i++) {
      await send(i === 0 ? call.input : { ...call.input, DelaySeconds: Math.max(Number(call.input.DelaySeconds ?? 0), delaySeconds) });
      injection.injected++;
    }
    return first;
  });
}

/** DynamoDB's throttling error, as the SDK raises it once its own retries are spent. */
export const throttled = () =>
  new ProvisionedThroughputExceededException({ message: 'Rate of requests exceeds the allowed throughput (injected)', $metadata: {} });

/** An SQS send refused, as a network or service error would surface. */
export const sendRefused = () => Object.assign(new Error('SendMessage failed (injected)'), { name: 'ServiceUnavailable' });

/**
 * A worker's terminal write: an UpdateItem that sets `completed` or `failed` under the worker's
 * lease (sweeper and caller writes carry no lease id; claims, heartbeats and retries set no terminal status).
 */
export function isWorkerOutcomeWrite({ command, input }: Call): boolean {
  if (command !== 'UpdateItemCommand') return false;
  const condition = String(input.ConditionExpression ?? '');
  const values = JSON.stringify(input.ExpressionAttributeValues ?? {});
  return /:leaseId\b/.test(condition) && /"(completed|failed)"/.test(values);
}
