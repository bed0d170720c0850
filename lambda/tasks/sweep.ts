import type { CoreDeps } from './core-deps.js';
import { logFinished } from './finished-log.js';
import { TaskStatus } from './task.js';
import { ErrorCode } from './task-error.js';
import type { DueTask, TaskStore } from './task-store.js';

/** What one sweep did. */
export interface SweepReport {
  examined: number;
  timedOut: number;
  redispatched: number;
  workerLost: number;
  errors: number;
}

/** Limits and mode of one sweep. */
export interface SweepOptions {
  /** Stop after examining this many tasks (one scheduled run stays short). @default 5000 */
  maxTasks?: number;
  /** Stop after this long; what is left stays due for the next run. @default no limit */
  budgetMs?: number;
  /**
   * Every live task is known to be orphaned — the single local process restarted, so no worker holds
   * a lease and the in-memory queue lost its messages: rescue them all now instead of when due,
   * found by scanning the table (an emulator killed mid-write may have left its index behind).
   */
  orphaned?: boolean;
}

type Action = 'timedOut' | 'redispatched' | 'workerLost' | 'none';

/**
 * Rescues what crashed: fails live tasks past their deadline (`timeout`), re-dispatches tasks whose
 * worker lease expired (or fails them `worker_lost` once attempts are spent), and re-dispatches pending
 * tasks whose dispatch was lost. Reads only due tasks from the sparse active index: a pending task is
 * due at its deadline or dispatch grace, a processing one when its lease runs out (a live worker
 * enforces the deadline itself; a dead one's task is failed at most one lease late). Every change is
 * a conditional write on what was read, so two sweeps at once do each thing once.
 */
export async function sweep(deps: CoreDeps, options: SweepOptions = {}): Promise<SweepReport> {
  const report: SweepReport = { examined: 0, timedOut: 0, redispatched: 0, workerLost: 0, errors: 0 };
  const maxTasks = options.maxTasks ?? 5_000;
  const now = deps.clock();
  const stopAt = now + (options.budgetMs ?? Infinity);
  for await (const candidate of candidates(deps.store, now, options.orphaned ?? false)) {
    report.examined++;
    try {
      // The index is eventually consistent: decide on the record itself, read strongly.
      const task = options.orphaned ? candidate : await deps.store.get(candidate.taskId);
      const action = task ? await sweepOne(deps, task, now, options.orphaned ?? false) : 'none';
      if (action !== 'none') {
        report[action]++;
        deps.telemetry.swept(action);
        if (action === 'timedOut') deps.telemetry.failed(ErrorCode.Timeout);
        if (action === 'workerLost') deps.telemetry.failed(ErrorCode.WorkerLost);
      }
    } catch (error) {
      report.errors++;
      deps.logger.error('sweep of one task failed; it stays due for the next run', { taskId: candidate.taskId, error: String(error) });
    }
    if (report.examined >= maxTasks || deps.clock() >= stopAt) break;
  }
  if (report.examined > 0) deps.logger.info('sweep finished', { ...report });
  return report;
}

/** Due tasks from every shard of the active index; after a crash, every live record in the table. */
async function* candidates(store: TaskStore, now: number, orphaned: boolean): AsyncGenerator<DueTask> {
  if (orphaned) {
    yield* store.liveTasks();
    return;
  }
  yield* store.due(now);
}

async function sweepOne(deps: CoreDeps, task: DueTask, now: number, orphaned: boolean): Promise<Action> {
  if (task.status !== TaskStatus.Pending && task.status !== TaskStatus.Processing) return 'none';
  const { config, store, dispatcher } = deps;
  const ttl = config.state.ttlSeconds;
  const graceMs = config.execution.dispatchGraceSeconds * 1000;
  if (task.deadlineAt <= now) {
    if (!(await store.failTimedOut(task.taskId, ttl))) return 'none';
    logFinished(deps.logger, { taskId: task.taskId, status: TaskStatus.Failed, code: ErrorCode.Timeout, by: 'sweeper' });
    return 'timedOut';
  }
  if (task.status === TaskStatus.Processing && (orphaned || (task.leaseExpiresAt ?? 0) <= now)) {
    if (task.attempt >= task.maxAttempts) {
      if (!(await store.failWorkerLost(task, ttl))) return 'none';
      logFinished(deps.logger, { taskId: task.taskId, status: TaskStatus.Failed, code: ErrorCode.WorkerLost, by: 'sweeper' });
      return 'workerLost';
    }
    if (!(await store.releaseLostLease(task, graceMs))) return 'none';
    await dispatcher.dispatch(task.taskId);
    return 'redispatched';
  }
  if (task.status === TaskStatus.Pending && (orphaned || (task.sweepAt ?? 0) <= now)) {
    if (!(await store.bumpPending(task, graceMs))) return 'none';
    await dispatcher.dispatch(task.taskId);
    return 'redispatched';
  }
  return 'none';
}
