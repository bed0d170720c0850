import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Log } from '../shared/log.js';
import { OperationError, type Operation } from '../operations/operation.js';
import type { CoreDeps } from './core-deps.js';
import { logFinished } from './finished-log.js';
import { startLease } from './lease.js';
import { lostReason, TaskStatus, type TaskRecord } from './task.js';
import { ErrorCode, type TaskErrorInfo } from './task-error.js';
import { UnstorableError } from './task-store.js';
import { validationMessage } from './validation-message.js';

/** What became of one delivery. `skipped`: not claimable (duplicate, finished, cancelled, backoff). */
export type RunOutcome = 'completed' | 'failed' | 'retried' | 'cancelled' | 'lost' | 'skipped';

/** Limits of the process running the task (a Lambda invocation's remaining time). */
export interface RunLimits {
  /** Milliseconds this invocation has left; the task is released before they run out. */
  remainingTimeMs?: () => number;
}

/** Time kept back from the Lambda limit to write the outcome. */
const WRITE_MARGIN_MS = 10_000;
/** Outcome writes that fail transiently are retried after these pauses, doubling. */
const WRITE_RETRY_FIRST_MS = 100;
const WRITE_RETRY_MAX_MS = 2_000;
/** Longest operation error message kept on the record. */
const MAX_ERROR_MESSAGE = 2_000;

/** One claimed attempt: what every outcome write needs. */
interface Attempt {
  deps: CoreDeps;
  task: TaskRecord;
  leaseId: string;
  startedAt: number;
  log: Log;
  /** Until when the lease is surely this worker's (outcome writes may be retried until then). */
  safeUntil: () => number;
}

/**
 * Runs one task delivery: claim under a lease, execute with an AbortSignal (deadline, worker time,
 * cancellation), heartbeat meanwhile, then write exactly one outcome — unless the task moved on
 * without this worker, in which case its result is discarded.
 * @throws only when the store stays unreachable for the rest of the lease, so the message is redelivered.
 */
export async function runTask(deps: CoreDeps, taskId: string, limits: RunLimits = {}): Promise<RunOutcome> {
  const { config, store, clock, logger } = deps;
  const leaseMs = config.execution.leaseSeconds * 1000;
  const leaseId = randomUUID();
  const task = await store.claim(taskId, leaseId, leaseMs);
  if (!task) {
    logger.debug('delivery skipped: task not claimable', { taskId });
    return 'skipped';
  }
  const startedAt = clock();
  deps.telemetry.started(Math.max(0, startedAt - task.updatedAt));
  const log = logger.createChild({ persistentKeys: { taskId, operation: task.operation, attempt: task.attempt } });
  // Until the lease's heartbeat runs, the claim itself is the last confirmation.
  const run: Attempt = { deps, task, leaseId, startedAt, log, safeUntil: () => startedAt + (leaseMs * 2) / 3 };

  const operation = deps.operations.find((op) => op.name === task.operation);
  if (!operation)
    return finishFailed(run, {
      code: ErrorCode.UnknownOperation,
      message: `operation ${task.operation} is not registered`,
      retryable: false,
    });
  const params = operation.input.safeParse({ ...task.params, ...task.secretParams });
  if (!params.success) {
    return finishFailed(run, { code: ErrorCode.ValidationError, message: validationMessage(params.error, 'parameters'), retryable: false });
  }

  const workerLimit = limits.remainingTimeMs ? startedAt + limits.remainingTimeMs() - WRITE_MARGIN_MS : Infinity;
  const lease = startLease({ store, clock, logger: log, taskId, leaseId, leaseMs, deadlineAt: task.deadlineAt, workerLimit });
  run.safeUntil = lease.safeUntil;
  let value: unknown;
  let failure: unknown;
  try {
    value = await lease.race(
      operation.execute(params.data, {
        taskId,
        signal: lease.signal,
        deadlineAt: task.deadlineAt,
        attempt: task.attempt,
        config,
        reportProgress: lease.reportProgress,
      }),
    );
  } catch (error) {
    failure = error;
  } finally {
    await lease.stop();
  }

  const reason = lease.abortReason();
  if (reason === 'cancelled') {
    log.info('operation stopped: the task was cancelled');
    return 'cancelled';
  }
  if (reason === 'lost') {
    // The sweeper re-dispatches the task, or ends it worker_lost, once the lease has lapsed.
    log.warn('operation stopped: this worker could not keep its lease; its result is discarded');
    return 'lost';
  }
  if (reason === 'deadline') return finishTimedOut(run);
  if (reason === 'worker_limit') {
    // Not a timeout (the deadline is still ahead): the compute went away, as when a worker dies.
    const message = `the worker ran out of time on attempt ${task.attempt} of ${task.maxAttempts}`;
    return retryOrFail(run, { code: ErrorCode.WorkerLost, message, retryable: true }, 0);
  }
  if (failure !== undefined) return handleFailure(run, operation, failure);
  return finishCompleted(run, value);
}

async function finishCompleted(run: Attempt, value: unknown): Promise<RunOutcome> {
  const { config, store, clock, telemetry } = run.deps;
  let json: string;
  try {
    json = JSON.stringify(value) ?? 'null';
  } catch (error) {
    // BigInt, a cycle: nothing a caller could read back.
    return finishUnstorable(run, `the result is not JSON: ${(error as Error).message}`);
  }
  const size = Buffer.byteLength(json);
  const cap = config.execution.maxResultBytes;
  if (size > cap) {
    return finishFailed(run, {
      code: ErrorCode.ResultTooLarge,
      message: `the result is ${size} bytes; the limit is ${cap} (MAX_RESULT_BYTES)`,
      retryable: false,
    });
  }
  let written: boolean;
  try {
    written = await persist(run, 'result', () => store.complete(run.task.taskId, run.leaseId, json, config.state.ttlSeconds));
  } catch (error) {
    if (error instanceof UnstorableError) return finishUnstorable(run, `the store refused the ${size}-byte result: ${error.message}`);
    throw error;
  }
  if (!written) return explainLost(run);
  const durationMs = clock() - run.startedAt;
  telemetry.completed(durationMs);
  logFinished(run.log, { taskId: run.task.taskId, status: TaskStatus.Completed, by: 'worker', durationMs });
  return 'completed';
}

/** The operation finished but its result can never be stored: end the task now, saying so. */
function finishUnstorable(run: Attempt, reason: string): Promise<RunOutcome> {
  run.log.error('result could not be stored; the task fails result_unstorable', { reason });
  return finishFailed(run, { code: ErrorCode.ResultUnstorable, message: reason, retryable: false });
}

async function handleFailure(run: Attempt, operation: Operation, failure: unknown): Promise<RunOutcome> {
  const retryable = failure instanceof OperationError && failure.retryable;
  const message = (failure instanceof Error ? failure.message : String(failure)).slice(0, MAX_ERROR_MESSAGE);
  const error: TaskErrorInfo = { code: ErrorCode.OperationError, message, retryable };
  if (!(failure instanceof OperationError)) run.log.warn('operation threw an unexpected error', { error: failure as Error });
  if (!retryable) return finishFailed(run, error);
  const backoffSeconds = operation.retry.baseDelaySeconds * 2 ** (run.task.attempt - 1);
  return retryOrFail(run, error, backoffSeconds);
}

/** Back to pending with backoff while attempts (and time before the deadline) remain; otherwise failed. */
async function retryOrFail(run: Attempt, error: TaskErrorInfo, backoffSeconds: number): Promise<RunOutcome> {
  const { config, store, clock, dispatcher, telemetry } = run.deps;
  const { task } = run;
  const notBefore = clock() + backoffSeconds * 1000;
  if (task.attempt >= task.maxAttempts || notBefore >= task.deadlineAt) return finishFailed(run, error);
  const graceMs = config.execution.dispatchGraceSeconds * 1000;
  if (!(await persist(run, 'retry', () => store.retry(task.taskId, run.leaseId, error, notBefore, graceMs)))) return explainLost(run);
  telemetry.retried();
  run.log.info('task will be retried', { backoffSeconds, error: error.message });
  // A lost message is rescued by the sweeper at notBefore + grace.
  await dispatcher
    .dispatch(task.taskId, backoffSeconds)
    .catch((e: unknown) => run.log.warn('retry dispatch failed; the sweeper will re-dispatch', { error: String(e) }));
  return 'retried';
}

function finishTimedOut(run: Attempt): Promise<RunOutcome> {
  const seconds = Math.round((run.task.deadlineAt - run.task.createdAt) / 1000);
  return finishFailed(run, {
    code: ErrorCode.Timeout,
    message: `the task did not finish within its ${seconds} s deadline (max_wait_seconds)`,
    retryable: true,
  });
}

async function finishFailed(run: Attempt, error: TaskErrorInfo): Promise<RunOutcome> {
  const { config, store, clock, telemetry } = run.deps;
  if (!(await persist(run, 'failure', () => store.fail(run.task.taskId, run.leaseId, error, config.state.ttlSeconds))))
    return explainLost(run);
  const durationMs = clock() - run.startedAt;
  telemetry.failed(error.code, durationMs);
  logFinished(run.log, {
    taskId: run.task.taskId,
    status: TaskStatus.Failed,
    code: error.code,
    by: 'worker',
    durationMs,
    error: error.message,
  });
  return 'failed';
}

/** The write was refused: say why, and turn a passed deadline into the timeout it is. */
async function explainLost(run: Attempt): Promise<RunOutcome> {
  const reason = lostReason(await run.deps.store.get(run.task.taskId), run.leaseId, run.deps.clock());
  run.log.info('outcome discarded: the task moved on without this worker', { reason });
  if (reason === 'deadline') return finishTimedOut(run);
  return reason === 'cancelled' ? 'cancelled' : 'lost';
}

/**
 * One outcome write, retried in place on transient store errors while the lease is surely ours: a
 * finished operation must never run again just because its outcome could not be written.
 * @throws UnstorableError at once (no retry can help); any other error once the lease may lapse.
 */
async function persist(run: Attempt, what: string, write: () => Promise<boolean>): Promise<boolean> {
  for (let pause = WRITE_RETRY_FIRST_MS; ; pause = Math.min(pause * 2, WRITE_RETRY_MAX_MS)) {
    try {
      return await write();
    } catch (error) {
      if (error instanceof UnstorableError) throw error;
      if (run.deps.clock() + pause >= run.safeUntil()) {
        throw new Error(`could not write the task's ${what} before its lease could lapse: ${String(error)}`, { cause: error });
      }
      run.log.debug(`writing the ${what} failed; retrying`, { error: String(error), pauseMs: pause });
      await sleep(pause);
    }
  }
}
