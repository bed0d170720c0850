import type { TaskProgress, TaskRecord, TaskStatus } from './task.js';
import type { TaskErrorInfo } from './task-error.js';

/** The sweeper's view of a live task. */
export type DueTask = Pick<
  TaskRecord,
  'taskId' | 'owner' | 'status' | 'attempt' | 'maxAttempts' | 'deadlineAt' | 'leaseExpiresAt' | 'sweepAt'
>;

/** A page of an owner's tasks (summaries: no params, result or secrets). */
export interface TaskPage {
  tasks: TaskRecord[];
  nextCursor?: string;
}

/** What one caller has in flight, for the per-caller quotas. */
export interface CallerUsage {
  /** Live (pending or processing) tasks, counted up to the limit asked for. */
  live: number;
  /** Tasks created since the window start, counted up to the limit asked for. */
  startedInWindow: number;
  /** When the oldest start in the window was made (epoch ms), when there was one. */
  oldestStartInWindow?: number;
}

/**
 * The store refused a write for good (the same write can never succeed, e.g. an item over the size
 * limit): the worker ends the task instead of retrying. Any other error is taken as transient.
 */
export class UnstorableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnstorableError';
  }
}

/**
 * Durable task records. Only `claim` hands out a record's secretParams (to the worker that runs it).
 * Every state transition is one atomic conditional write whose condition is
 * the state machine's rule (docs/ARCHITECTURE.md): a refused condition returns false/undefined,
 * never throws. Reads treat an expired record as absent.
 */
export interface TaskStore {
  /**
   * Writes a new pending record unless its id is taken by a live one; on a taken id (an idempotency
   * key seen before) returns that record, whoever owns it and whatever it asked, with `created: false`.
   */
  create(record: TaskRecord): Promise<{ task: TaskRecord; created: boolean }>;
  /** A strongly consistent read. */
  get(taskId: string): Promise<TaskRecord | undefined>;
  /** The record if `owner` owns it. */
  getOwned(owner: string, taskId: string): Promise<TaskRecord | undefined>;
  /**
   * An owner's tasks, newest first, optionally of one status.
   * @throws TaskError invalid_cursor for a cursor this store did not hand out to this owner.
   */
  listByOwner(owner: string, options: { status?: TaskStatus; limit: number; cursor?: string }): Promise<TaskPage>;
  /** How many tasks the owner has live, and started since `windowStart`, each counted up to its limit (0: not counted). */
  usage(owner: string, limits: { live: number; startedInWindow: number; windowStart: number }): Promise<CallerUsage>;

  /** Takes a pending task under a new lease (attempt + 1), secrets included; undefined when it is not claimable now. */
  claim(taskId: string, leaseId: string, leaseMs: number): Promise<TaskRecord | undefined>;
  /** Extends the lease (and records progress); false once the lease is lost, the task cancelled or past its deadline. */
  heartbeat(taskId: string, leaseId: string, leaseMs: number, progress?: TaskProgress): Promise<boolean>;
  /**
   * Records the result (JSON text, already checked against the size cap); false when the lease was
   * lost, the task cancelled, or the deadline passed first.
   * @throws UnstorableError when the store can never hold this result.
   */
  complete(taskId: string, leaseId: string, resultJson: string, ttlSeconds: number): Promise<boolean>;
  /** Records a terminal failure by the lease holder; false when the lease was lost or the task cancelled. */
  fail(taskId: string, leaseId: string, error: TaskErrorInfo, ttlSeconds: number): Promise<boolean>;
  /** Sends a failed attempt back to pending until `notBefore`, keeping its error for pollers. */
  retry(taskId: string, leaseId: string, error: TaskErrorInfo, notBefore: number, graceMs: number): Promise<boolean>;

  /** Cancels the owner's live task; a terminal one comes back unchanged; unknown or foreign as undefined. */
  cancel(owner: string, taskId: string, ttlSeconds: number): Promise<{ task: TaskRecord; changed: boolean } | undefined>;
  /** Makes a pending task due for the sweeper now (its dispatch failed). */
  markForRedispatch(taskId: string): Promise<boolean>;

  /** Live tasks whose sweep time has come. */
  due(now: number): AsyncGenerator<DueTask>;
  /** Every live task, read from the records themselves: the recovery after the single local process restarts. */
  liveTasks(): AsyncGenerator<DueTask>;
  /** Fails a live task whose deadline has passed. */
  failTimedOut(taskId: string, ttlSeconds: number): Promise<boolean>;
  /** Returns a task whose worker stopped heartbeating to pending, if the lease seen is still the current one. */
  releaseLostLease(task: DueTask, graceMs: number): Promise<boolean>;
  /** Fails a task whose worker died on its last allowed attempt. */
  failWorkerLost(task: DueTask, ttlSeconds: number): Promise<boolean>;
  /** Claims the right to re-dispatch a pending task (one sweeper wins) and pushes its next sweep out. */
  bumpPending(task: DueTask, graceMs: number): Promise<boolean>;
}
