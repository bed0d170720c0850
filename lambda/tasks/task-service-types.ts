import type { Operation } from '../operations/operation.js';
import type { TaskRecord, TaskStatus } from './task.js';

/** A caller's request to start work. `params` is unvalidated input. */
export interface SubmitRequest {
  owner: string;
  operation: string;
  params: unknown;
  idempotencyKey?: string;
  /** The task's SLA; defaults to the operation's timeout and is capped by config. */
  maxWaitSeconds?: number;
}

/** The durable, dispatched task; `created` is false when an idempotency key matched an earlier task. */
export interface SubmitResult {
  task: TaskRecord;
  created: boolean;
}

/** A page of a caller's tasks, newest first. */
export interface ListRequest {
  owner: string;
  status?: TaskStatus;
  limit?: number;
  cursor?: string;
}

/** Tasks carry the fields of the byOwner index (no params or result); `nextCursor` is opaque. */
export interface ListResult {
  tasks: TaskRecord[];
  nextCursor?: string;
}

/**
 * What the protocol layer (MCP tools, native MCP tasks) may do with tasks. Every method is scoped to
 * `owner`: a task of another owner is indistinguishable from one that does not exist.
 */
export interface TaskService {
  readonly operations: readonly Operation[];
  /** @throws TaskError validation_error, unknown_operation, payload_too_large, idempotency_conflict */
  submit(request: SubmitRequest): Promise<SubmitResult>;
  /** @throws TaskError not_found (unknown, foreign, malformed or expired reference) */
  get(owner: string, taskId: string): Promise<TaskRecord>;
  /**
   * Long-poll: resolves with the record as soon as it is terminal, or with its latest state when
   * `waitMs` is over or `signal` aborts.
   * @throws TaskError not_found
   */
  waitForTerminal(owner: string, taskId: string, waitMs: number, signal?: AbortSignal): Promise<TaskRecord>;
  /**
   * Cancels a pending or processing task; a terminal task comes back unchanged with `changed: false`.
   * @throws TaskError not_found
   */
  cancel(owner: string, taskId: string): Promise<{ task: TaskRecord; changed: boolean }>;
  /** @throws TaskError invalid_cursor for a cursor not handed to this owner; validation_error for a bad limit or status */
  list(request: ListRequest): Promise<ListResult>;
  /**
   * The server's hint for the next poll; null once terminal. Grows with the task's age; once the task
   * reports progress, aims just past its projected finish (never later than the age-only hint, never
   * sooner than a quarter of the initial interval) and backs off again from a finish that has passed.
   */
  pollAfterMs(task: TaskRecord): number | null;
}
