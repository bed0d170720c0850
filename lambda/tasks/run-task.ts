import type { CoreDeps } from './core-deps.js';
import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { OperationError, type Operation } from '../operations/operation.js';
import type { Clock } from '../shared/clock.js';
import type { Config } from '../shared/config.js';
import type { TaskTelemetry } from '../shared/telemetry.js';
import type { Dispatcher } from './dispatcher.js';
import { startLease, type AbortReason } from './lease.js';
import type { TaskRecord } from './task.js';
import { ErrorCode, type TaskErrorInfo } from './task-error.js';
import type { TaskStore } from './task-store.js';
import { validationMessage } from './validation-message.js';

/** Everything a worker needs, injected. */
export type RunTaskDeps = CoreDeps;

/** What became of one delivery. `skipped`: not claimable (duplicate, finished, cancelled, backoff). */
export type RunOutcome = 'completed' | 'failed' | 'retried' | 'cancelled' | 'lost' | 'skipped';

/** Limits of the process running the task (a Lambda invocation's remaining time). */
export interface RunLimits {
  /** Milliseconds this invocation has left; the task is released before they run out. */
  remainingTimeMs?: () => number;
}

/** Time kept back from the Lambda limit to write the outcome. */
const WRITE_MARGIN_MS = 10_000;

/**
 * Runs one task delivery: claim under a lease, execute with an AbortSignal (deadline, worker time,
 * cancellation), heartbeat meanwhile, then write exactly one outcome — unless the task moved on
 * without this worker, in which case its result is discarded.
 * @throws only on store/queue failures, so the message is redelivered.
 */
export async function runTask(deps: RunTaskDeps, taskId: string, limits: RunLimits = {}): Promise<RunOutcome> {
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

  const operation = deps.operations.find((op) => op.name === task.operation);
  if (!operation) return finishFailed(deps, task, leaseId, { code: ErrorCode.UnknownOperation, message: `operation ${task.operation} is not registered`, retryable: false }, startedAt);
  const params = operation.input.safeParse(task.params);
  if (!params.success) {
    return finishFailed(deps, task, leaseId, { code: ErrorCode.ValidationError, message: validationMessage(params.error, 'parameters'), retryable: false }, startedAt);
  }

  const workerLimit = limits.remainingTimeMs ? startedAt + limits.remainingTimeMs() - WRITE_MARGIN_MS : Infinity;
  const lease = startLease({ store, clock, logger: log, taskId, leaseId, leaseMs, deadlineAt: task.deadlineAt, workerLimit });
  let value: unknown;
  let failure: unknown;
  try {
    value = await lease.race(
      operation.execute(params.data, {
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

  const reason: AbortReason | undefined = lease.abortReason();
  if (reason === 'cancelled') return 'cancelled';
  if (reason === 'lost') return 'lost';
  if (reason === 'deadline') return finishTimedOut(deps, task, leaseId, startedAt);
  if (reason === 'worker_limit') return retryOrFail(deps, task, leaseId, { code: ErrorCode.Timeout, message: 'the worker ran out of time; the task is retried on a fresh worker', retryable: true }, 0, startedAt);
  if (failure !== undefined) return handleFailure(deps, task, leaseId, operation, failure, startedAt);
  return finishCompleted(deps, task, leaseId, value, startedAt, log);
}

async function finishCompleted(deps: RunTaskDeps, task: TaskRecord, leaseId: string, value: unknown, startedAt: number, log: Logger): Promise<RunOutcome> {
  const { config, store, clock, telemetry } = deps;
  const result = value === undefined ? null : value;
  const size = Buffer.byteLength(JSON.stringify(result));
  if (size > config.execution.maxResultBytes) {
    return finishFailed(deps, task, leaseId, { code: ErrorCode.ResultTooLarge, message: `the result is ${size} bytes; the limit is ${config.execution.maxResultBytes}`, retryable: false }, startedAt);
  }
  let written: boolean;
  try {
    written = await store.complete(task.taskId, leaseId, result, config.state.ttlSeconds);
  } catch (error) {
    // DynamoDB refuses items over 400 KB (the result's encoding can outgrow its JSON size).
    if (error instanceof Error && error.name === 'ValidationException') {
      log.warn('result refused by the store', { error: error.message });
      return finishFailed(deps, task, leaseId, { code: ErrorCode.ResultTooLarge, message: 'the result is too large to store', retryable: false }, startedAt);
    }
    throw error;
  }
  if (written) {
    telemetry.completed(clock() - startedAt);
    log.info('task completed', { durationMs: clock() - startedAt });
    return 'completed';
  }
  return explainLost(deps, task, leaseId, startedAt);
}

async function handleFailure(deps: RunTaskDeps, task: TaskRecord, leaseId: string, operation: Operation, failure: unknown, startedAt: number): Promise<RunOutcome> {
  const retryable = failure instanceof OperationError && failure.retryable;
  const message = failure instanceof Error ? failure.message : String(failure);
  const error: TaskErrorInfo = { code: ErrorCode.OperationError, message, retryable };
  if (!(failure instanceof OperationError)) deps.logger.warn('operation threw an unexpected error', { taskId: task.taskId, error: failure as Error });
  if (!retryable) return finishFailed(deps, task, leaseId, error, startedAt);
  const backoffSeconds = operation.retry.baseDelaySeconds * 2 ** (task.attempt - 1);
  return retryOrFail(deps, task, leaseId, error, backoffSeconds, startedAt);
}

/** Back to pending with backoff while attempts (and time before the deadline) remain; otherwise failed. */
async function retryOrFail(deps: RunTaskDeps, task: TaskRecord, leaseId: string, error: TaskErrorInfo, backoffSeconds: number, startedAt: number): Promise<RunOutcome> {
  const { config, store, clock, dispatcher, telemetry, logger } = deps;
  const notBefore = clock() + backoffSeconds * 1000;
  if (task.attempt < task.maxAttempts && notBefore < task.deadlineAt) {
    if (await store.retry(task.taskId, leaseId, error, notBefore, config.execution.dispatchGraceSeconds * 1000)) {
      telemetry.retried();
      logger.info('task will be retried', { taskId: task.taskId, attempt: task.attempt, backoffSeconds, error: error.message });
      // A lost message is rescued by the sweeper at notBefore + grace.
      await dispatcher.dispatch(task.taskId, backoffSeconds).catch((e: unknown) => logger.warn('retry dispatch failed; the sweeper will re-dispatch', { taskId: task.taskId, error: String(e) }));
      return 'retried';
    }
    return explainLost(deps, task, leaseId, startedAt);
  }
  return finishFailed(deps, task, leaseId, error, startedAt);
}

async function finishTimedOut(deps: RunTaskDeps, task: TaskRecord, leaseId: string, startedAt: number): Promise<RunOutcome> {
  const seconds = Math.round((task.deadlineAt - task.createdAt) / 1000);
  return finishFailed(deps, task, leaseId, { code: ErrorCode.Timeout, message: `the task did not finish within its ${seconds} s deadline (max_wait_seconds)`, retryable: true }, startedAt);
}

async function finishFailed(deps: RunTaskDeps, task: TaskRecord, leaseId: string, error: TaskErrorInfo, startedAt: number): Promise<RunOutcome> {
  const { config, store, clock, telemetry, logger } = deps;
  if (await store.fail(task.taskId, leaseId, error, config.state.ttlSeconds)) {
    telemetry.failed(error.code, clock() - startedAt);
    logger.info('task failed', { taskId: task.taskId, code: error.code, error: error.message });
    return 'failed';
  }
  return explainLost(deps, task, leaseId, startedAt);
}

/** The write was refused: say why, and turn a passed deadline into the timeout it is. */
async function explainLost(deps: RunTaskDeps, task: TaskRecord, leaseId: string, startedAt: number): Promise<RunOutcome> {
  const reason = await deps.store.whyLost(task.taskId, leaseId);
  deps.logger.info('outcome discarded: the task moved on without this worker', { taskId: task.taskId, reason });
  if (reason === 'deadline') return finishTimedOut(deps, task, leaseId, startedAt);
  return reason === 'cancelled' ? 'cancelled' : 'lost';
}
