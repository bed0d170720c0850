import type { TaskErrorInfo } from './task-error.js';

/** The closed set of task states; completed, failed and cancelled never change. */
export const TaskStatus = {
  Pending: 'pending',
  Processing: 'processing',
  Completed: 'completed',
  Failed: 'failed',
  Cancelled: 'cancelled',
} as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

export const TASK_STATUSES = Object.values(TaskStatus) as [TaskStatus, ...TaskStatus[]];

/** Progress an operation reported last. */
export interface TaskProgress {
  percent: number;
  message?: string;
}

/** One task, as the core sees it. Times are epoch milliseconds except `expiresAt` (TTL, seconds). */
export interface TaskRecord {
  taskId: string;
  owner: string;
  operation: string;
  /** The validated parameters, less `secretParams`. */
  params: Record<string, unknown>;
  /**
   * The parameters the operation declares secret (e.g. http_request's headers): handed to the worker,
   * never shown back, and dropped by the write that ends the task.
   */
  secretParams?: Record<string, unknown>;
  status: TaskStatus;
  /** Claims so far; the running attempt's number while processing. */
  attempt: number;
  maxAttempts: number;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  finishedAt?: number;
  deadlineAt: number;
  /** Identifies the claim that holds the task; only its holder may write progress or a result. */
  leaseId?: string;
  leaseExpiresAt?: number;
  /** A retry's backoff: no claim before this time. */
  notBefore?: number;
  progress?: TaskProgress;
  result?: unknown;
  error?: TaskErrorInfo;
  idempotencyKey?: string;
  payloadHash: string;
  expiresAt: number;
  /** While the task is live: when the sweeper must next look at it. */
  sweepAt?: number;
}

/** Why a lease holder's write was refused: the task moved on without it. */
export type LostReason = 'cancelled' | 'deadline' | 'finished' | 'lost';

/**
 * Reads the refusal off the record as it is now (undefined: gone or expired): finished or cancelled
 * by someone else, past the deadline under this very lease, or taken over by another claim.
 */
export function lostReason(record: TaskRecord | undefined, leaseId: string, now: number): LostReason {
  if (!record || record.status === TaskStatus.Completed || record.status === TaskStatus.Failed) return 'finished';
  if (record.status === TaskStatus.Cancelled) return 'cancelled';
  if (record.leaseId === leaseId && record.deadlineAt <= now) return 'deadline';
  return 'lost';
}

/** Whether a status is final. */
export function isTerminal(status: TaskStatus): boolean {
  return status === TaskStatus.Completed || status === TaskStatus.Failed || status === TaskStatus.Cancelled;
}

/** Whether the record is past its TTL; DynamoDB deletes it up to 48 h late, so reads check themselves. */
export function isExpired(record: Pick<TaskRecord, 'expiresAt'>, now: number): boolean {
  return record.expiresAt * 1000 <= now;
}
