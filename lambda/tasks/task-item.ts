import { TASK_TABLE } from '../shared/resources.js';
import type { TaskRecord } from './task.js';

/**
 * How a task record is laid out as a DynamoDB item.
 *
 * Parameters and results are kept as JSON text, not as DynamoDB maps: the SDK's marshaller refuses
 * numbers past 2^53, a DynamoDB number lies between 1e-130 and 1e126, and a map nests 32 levels,
 * while a caller's JSON may hold 123456789012345678901234567890, 1e-200 or 40-deep arrays. Text
 * round-trips exactly what JSON.parse reads, whatever its shape.
 */
export interface TaskItem extends Omit<TaskRecord, 'params' | 'secretParams' | 'result'> {
  paramsJson?: string;
  secretParamsJson?: string;
  resultJson?: string;
  /** Sparse "active" index partition: present only while the task is live. */
  activeShard?: string;
  /** Sparse "liveByOwner" index partition: the owner, present only while the task is live. */
  liveOwner?: string;
}

/** Attributes a terminal write removes: the live indexes' keys, the lease, and the secrets. */
export const LIVE_ONLY_ATTRIBUTES = [
  'leaseId',
  'leaseExpiresAt',
  'activeShard',
  'liveOwner',
  'sweepAt',
  'notBefore',
  'secretParamsJson',
] as const;

/** The item for a new (live) record. */
export function toItem(record: TaskRecord): TaskItem {
  const { params, secretParams, result, ...rest } = record;
  return {
    ...rest,
    paramsJson: JSON.stringify(params),
    ...(secretParams !== undefined && { secretParamsJson: JSON.stringify(secretParams) }),
    ...(result !== undefined && { resultJson: JSON.stringify(result) }),
    activeShard: activeShardOf(record.taskId),
    liveOwner: record.owner,
  };
}

/**
 * The record an item holds; index items lack the JSON attributes and come back without them. Secret
 * parameters come back only for the worker that claimed the task (`withSecrets`).
 */
export function fromItem(item: Record<string, unknown>, options: { withSecrets?: boolean } = {}): TaskRecord {
  const { paramsJson, secretParamsJson, resultJson, activeShard: _shard, liveOwner: _owner, ...rest } = item as unknown as TaskItem;
  const record = rest as TaskRecord;
  if (paramsJson !== undefined) record.params = JSON.parse(paramsJson) as Record<string, unknown>;
  if (secretParamsJson !== undefined && options.withSecrets) record.secretParams = JSON.parse(secretParamsJson) as Record<string, unknown>;
  if (resultJson !== undefined) record.result = JSON.parse(resultJson);
  return record;
}

/** A record as anyone but its worker may see it. */
export function withoutSecrets({ secretParams: _secrets, ...record }: TaskRecord): TaskRecord {
  return record;
}

/** The active-index shard of a task, spread evenly by the id's random first character. */
export function activeShardOf(taskId: string): string {
  return String(taskId.charCodeAt(0) % TASK_TABLE.activeShards);
}
