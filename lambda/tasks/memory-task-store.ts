import type { Clock } from '../shared/clock.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { isExpired, isTerminal, TaskStatus, type TaskProgress, type TaskRecord } from './task.js';
import { cancelledError, type TaskErrorInfo, timedOutError, workerLostError } from './task-error.js';
import { withoutSecrets } from './task-item.js';
import { UnstorableError, type CallerUsage, type DueTask, type TaskPage, type TaskStore } from './task-store.js';

/** DynamoDB's item limit, kept here too so both stores refuse the same oversized writes. */
const MAX_RECORD_BYTES = 400 * 1024;

const isLive = (task: TaskRecord) => task.status === TaskStatus.Pending || task.status === TaskStatus.Processing;

/**
 * Task records in a Map, with the same transition rules as the DynamoDB store (both pass one
 * contract suite): for tests of the layers above the store, and for reading the rules without
 * DynamoDB's expression syntax in the way. One process only; nothing survives it.
 */
export class MemoryTaskStore implements TaskStore {
  private readonly tasks = new Map<string, TaskRecord>();

  constructor(private readonly clock: Clock) {}

  async create(record: TaskRecord): Promise<{ task: TaskRecord; created: boolean }> {
    const existing = this.live(record.taskId);
    if (existing) return { task: this.copy(existing), created: false };
    this.put(structuredClone(record));
    return { task: withoutSecrets(structuredClone(record)), created: true };
  }

  async get(taskId: string): Promise<TaskRecord | undefined> {
    const task = this.live(taskId);
    return task && this.copy(task);
  }

  async getOwned(owner: string, taskId: string): Promise<TaskRecord | undefined> {
    const task = await this.get(taskId);
    return task?.owner === owner ? task : undefined;
  }

  async listByOwner(owner: string, options: { status?: TaskStatus; limit: number; cursor?: string }): Promise<TaskPage> {
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor, owner);
    const newestFirst = [...this.tasks.values()]
      .filter((t) => t.owner === owner && !isExpired(t, this.clock()))
      .sort((a, b) => b.createdAt - a.createdAt || (a.taskId < b.taskId ? 1 : -1));
    const start = after ? newestFirst.findIndex((t) => t.taskId === after.taskId) + 1 : 0;
    const matching = newestFirst.slice(start).filter((t) => options.status === undefined || t.status === options.status);
    const page = matching.slice(0, options.limit);
    const last = page.at(-1);
    const more = last !== undefined && matching.length > page.length;
    return {
      tasks: page.map(({ params: _params, result: _result, ...summary }) => this.copy(summary as TaskRecord)),
      ...(more && { nextCursor: encodeCursor({ owner, taskId: last.taskId, createdAt: last.createdAt }) }),
    };
  }

  async usage(owner: string, limits: { live: number; startedInWindow: number; windowStart: number }): Promise<CallerUsage> {
    const mine = [...this.tasks.values()].filter((t) => t.owner === owner);
    const started = mine.filter((t) => t.createdAt >= limits.windowStart).sort((a, b) => a.createdAt - b.createdAt);
    const oldest = limits.startedInWindow > 0 ? started[0]?.createdAt : undefined;
    return {
      live: Math.min(limits.live, mine.filter(isLive).length),
      startedInWindow: Math.min(limits.startedInWindow, started.length),
      ...(oldest !== undefined && { oldestStartInWindow: oldest }),
    };
  }

  async claim(taskId: string, leaseId: string, leaseMs: number): Promise<TaskRecord | undefined> {
    const now = this.clock();
    const task = this.live(taskId);
    if (!task || task.status !== TaskStatus.Pending || task.deadlineAt <= now || (task.notBefore ?? 0) > now) return undefined;
    const { notBefore: _notBefore, ...rest } = task;
    const claimed: TaskRecord = {
      ...rest,
      status: TaskStatus.Processing,
      attempt: task.attempt + 1,
      leaseId,
      leaseExpiresAt: now + leaseMs,
      sweepAt: now + leaseMs,
      updatedAt: now,
      startedAt: task.startedAt ?? now,
    };
    this.put(claimed);
    return structuredClone(claimed);
  }

  async heartbeat(taskId: string, leaseId: string, leaseMs: number, progress?: TaskProgress): Promise<boolean> {
    const now = this.clock();
    const task = this.held(taskId, leaseId);
    if (!task || task.deadlineAt <= now) return false;
    this.put({ ...task, leaseExpiresAt: now + leaseMs, sweepAt: now + leaseMs, updatedAt: now, ...(progress && { progress }) });
    return true;
  }

  async complete(taskId: string, leaseId: string, resultJson: string, ttlSeconds: number): Promise<boolean> {
    const task = this.held(taskId, leaseId);
    if (!task || task.deadlineAt <= this.clock()) return false;
    return this.terminate(task, { status: TaskStatus.Completed, result: JSON.parse(resultJson) }, ttlSeconds);
  }

  async fail(taskId: string, leaseId: string, error: TaskErrorInfo, ttlSeconds: number): Promise<boolean> {
    const task = this.held(taskId, leaseId);
    return task ? this.terminate(task, { status: TaskStatus.Failed, error }, ttlSeconds) : false;
  }

  async retry(taskId: string, leaseId: string, error: TaskErrorInfo, notBefore: number, graceMs: number): Promise<boolean> {
    const task = this.held(taskId, leaseId);
    if (!task || task.attempt >= task.maxAttempts || task.deadlineAt <= notBefore) return false;
    const { leaseId: _lease, leaseExpiresAt: _expires, ...rest } = task;
    this.put({ ...rest, status: TaskStatus.Pending, error, notBefore, sweepAt: notBefore + graceMs, updatedAt: this.clock() });
    return true;
  }

  async cancel(owner: string, taskId: string, ttlSeconds: number): Promise<{ task: TaskRecord; changed: boolean } | undefined> {
    const task = this.live(taskId);
    if (!task || task.owner !== owner) return undefined;
    if (!isLive(task)) return { task: this.copy(task), changed: false };
    this.terminate(task, { status: TaskStatus.Cancelled, error: cancelledError() }, ttlSeconds);
    return { task: this.copy(this.tasks.get(taskId)!), changed: true };
  }

  async markForRedispatch(taskId: string): Promise<boolean> {
    const task = this.tasks.get(taskId);
    if (task?.status !== TaskStatus.Pending) return false;
    this.put({ ...task, sweepAt: this.clock() });
    return true;
  }

  async *due(now: number): AsyncGenerator<DueTask> {
    const due = [...this.tasks.values()].filter((t) => isLive(t) && t.sweepAt !== undefined && t.sweepAt <= now);
    for (const task of due.sort((a, b) => a.sweepAt! - b.sweepAt!)) yield this.copy(task);
  }

  async *liveTasks(): AsyncGenerator<DueTask> {
    for (const task of [...this.tasks.values()]) if (isLive(task) && !isExpired(task, this.clock())) yield this.copy(task);
  }

  async failTimedOut(taskId: string, ttlSeconds: number): Promise<boolean> {
    const task = this.tasks.get(taskId);
    if (!task || !isLive(task) || task.deadlineAt > this.clock()) return false;
    return this.terminate(task, { status: TaskStatus.Failed, error: timedOutError() }, ttlSeconds);
  }

  async releaseLostLease(seen: DueTask, graceMs: number): Promise<boolean> {
    const now = this.clock();
    const task = this.tasks.get(seen.taskId);
    if (!task || task.status !== TaskStatus.Processing || task.leaseExpiresAt !== seen.leaseExpiresAt) return false;
    if (task.attempt >= task.maxAttempts || task.deadlineAt <= now) return false;
    const { leaseId: _lease, leaseExpiresAt: _expires, ...rest } = task;
    this.put({ ...rest, status: TaskStatus.Pending, sweepAt: now + graceMs, updatedAt: now });
    return true;
  }

  async failWorkerLost(seen: DueTask, ttlSeconds: number): Promise<boolean> {
    const task = this.tasks.get(seen.taskId);
    if (!task || task.status !== TaskStatus.Processing || task.leaseExpiresAt !== seen.leaseExpiresAt || task.attempt < task.maxAttempts)
      return false;
    return this.terminate(task, { status: TaskStatus.Failed, error: workerLostError(seen.attempt, seen.maxAttempts) }, ttlSeconds);
  }

  async bumpPending(seen: DueTask, graceMs: number): Promise<boolean> {
    const task = this.tasks.get(seen.taskId);
    if (task?.status !== TaskStatus.Pending || task.sweepAt !== seen.sweepAt) return false;
    this.put({ ...task, sweepAt: this.clock() + graceMs });
    return true;
  }

  /** The stored record unless it expired (TTL may lag, as in DynamoDB, so reads check). */
  private live(taskId: string): TaskRecord | undefined {
    const task = this.tasks.get(taskId);
    return task && !isExpired(task, this.clock()) ? task : undefined;
  }

  /** The record if this lease holds it. */
  private held(taskId: string, leaseId: string): TaskRecord | undefined {
    const task = this.tasks.get(taskId);
    return task?.status === TaskStatus.Processing && task.leaseId === leaseId ? task : undefined;
  }

  /** The one terminal write: drops the lease, the sweep time and the secrets; starts the TTL clock. */
  private terminate(task: TaskRecord, outcome: Pick<TaskRecord, 'status' | 'result' | 'error'>, ttlSeconds: number): boolean {
    if (isTerminal(task.status)) return false;
    const now = this.clock();
    const { leaseId: _l, leaseExpiresAt: _e, sweepAt: _s, notBefore: _n, secretParams: _p, ...rest } = task;
    this.put({ ...rest, ...outcome, finishedAt: now, updatedAt: now, expiresAt: Math.floor(now / 1000) + ttlSeconds });
    return true;
  }

  /** Stores a record, refusing what DynamoDB would refuse for size. */
  private put(record: TaskRecord): void {
    const bytes = Buffer.byteLength(JSON.stringify(record));
    if (bytes > MAX_RECORD_BYTES) throw new UnstorableError(`Item size has exceeded the maximum allowed size (${bytes} bytes)`);
    this.tasks.set(record.taskId, record);
  }

  private copy(task: TaskRecord): TaskRecord {
    return withoutSecrets(structuredClone(task));
  }
}
