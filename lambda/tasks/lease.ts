import type { Log } from '../shared/log.js';
import type { Clock } from '../shared/clock.js';
import { lostReason, type TaskProgress } from './task.js';
import type { TaskStore } from './task-store.js';

/** Why a running operation was stopped. */
export type AbortReason = 'deadline' | 'worker_limit' | 'cancelled' | 'lost';

/** A held lease: the operation's AbortSignal, its progress reporter, and the heartbeat behind them. */
export interface Lease {
  signal: AbortSignal;
  /** Settles with the operation, or rejects as soon as the lease aborts (an operation that ignores its signal cannot hold the worker). */
  race<T>(work: Promise<T>): Promise<T>;
  reportProgress(percent: number, message?: string): void;
  abortReason(): AbortReason | undefined;
  /**
   * Until when the lease is surely still this worker's: two thirds of a lease after the last
   * confirmed write, the point past which the sweeper may soon hand the task to someone else.
   */
  safeUntil(): number;
  /** Stops heartbeating and waits for the last write. */
  stop(): Promise<void>;
}

interface LeaseOptions {
  store: TaskStore;
  clock: Clock;
  logger: Log;
  taskId: string;
  leaseId: string;
  leaseMs: number;
  deadlineAt: number;
  /** Epoch ms at which this worker must stop (Lambda time left less a margin). */
  workerLimit: number;
}

/** Progress is written at most this often; in between the latest value waits for the next write. */
const PROGRESS_WRITE_MS = 1_000;

/**
 * Keeps a claimed task's lease alive: heartbeats every third of the lease, aborts at the deadline or
 * the worker's limit, and aborts when a heartbeat finds the task cancelled or taken over. A worker
 * that cannot confirm its lease in time stops on its own, so two workers never run one task.
 */
export function startLease(options: LeaseOptions): Lease {
  const { store, clock, logger, taskId, leaseId, leaseMs } = options;
  const controller = new AbortController();
  let reason: AbortReason | undefined;
  let confirmedAt = clock();
  let pending: TaskProgress | undefined;
  let lastWrite = 0;
  let writing: Promise<void> = Promise.resolve();
  const safeUntil = () => confirmedAt + (leaseMs * 2) / 3;
  const abort = (why: AbortReason) => {
    if (reason) return;
    reason = why;
    controller.abort(new Error(`task aborted: ${why}`));
  };

  const stopAt = Math.min(options.deadlineAt, options.workerLimit);
  const limitTimer = setTimeout(
    () => abort(options.deadlineAt <= options.workerLimit ? 'deadline' : 'worker_limit'),
    Math.max(0, stopAt - clock()),
  );

  const write = () => {
    writing = writing.then(async () => {
      if (reason) return;
      const progress = pending;
      pending = undefined;
      lastWrite = clock();
      try {
        if (await store.heartbeat(taskId, leaseId, leaseMs, progress)) {
          confirmedAt = clock();
          return;
        }
        const why = lostReason(await store.get(taskId), leaseId, clock());
        abort(why === 'cancelled' ? 'cancelled' : why === 'deadline' ? 'deadline' : 'lost');
      } catch (error) {
        logger.warn('heartbeat failed', { error: String(error) });
        if (clock() >= safeUntil()) abort('lost');
      }
    });
  };
  // Checked on every tick, not only when a write fails: a write that hangs must stop the worker too.
  const heartbeat = setInterval(() => (clock() >= safeUntil() ? abort('lost') : write()), Math.max(50, Math.floor(leaseMs / 3)));

  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  aborted.catch(() => {}); // observed through race()

  return {
    signal: controller.signal,
    race(work) {
      work.catch(() => {}); // a late rejection after an abort is already accounted for
      return Promise.race([work, aborted]);
    },
    reportProgress(percent, message) {
      pending = {
        percent: Math.max(0, Math.min(100, Math.round(percent))),
        ...(message !== undefined && { message: String(message).slice(0, 500) }),
      };
      if (clock() - lastWrite >= PROGRESS_WRITE_MS) write();
    },
    abortReason: () => reason,
    safeUntil,
    async stop() {
      clearTimeout(limitTimer);
      clearInterval(heartbeat);
      // A lost lease is given up: a write still hanging cannot change that, so it is not awaited.
      if (reason !== 'lost') await writing;
    },
  };
}
