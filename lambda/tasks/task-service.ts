import { setTimeout as sleep } from 'node:timers/promises';
import type { CoreDeps } from './core-deps.js';
import { logFinished } from './finished-log.js';
import { finishWindow, taskPollAfterMs, waitPauseMs } from './poll-hint.js';
import { isTerminal, TaskStatus, TASK_STATUSES, type TaskRecord } from './task.js';
import { ErrorCode, TaskError } from './task-error.js';
import { idempotentTaskId, isTaskId, newTaskId, payloadHash } from './task-id.js';
import type { ListRequest, ListResult, SubmitRequest, SubmitResult, TaskService } from './task-service-types.js';
import { validationMessage } from './validation-message.js';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;
const MAX_LIST_LIMIT = 100;
const QUOTA_WINDOW_MS = 60_000;
/**
 * Long-poll re-reads start fast (most tasks that finish in a wait finish early) and back off to 0.5 s;
 * a task's progress moves them to its projected finish (waitPauseMs).
 */
const WAIT_FIRST_MS = 50;
const WAIT_MAX_MS = 500;

/** The owner-scoped task operations the protocol layer calls: validate, write durably, dispatch. */
export function createTaskService(deps: CoreDeps): TaskService {
  const { config, store, dispatcher, clock, telemetry, logger } = deps;
  const byName = new Map(deps.operations.map((op) => [op.name, op]));

  const notFound = (taskId: string) =>
    new TaskError(ErrorCode.NotFound, `task ${JSON.stringify(taskId)} not found (unknown, expired, or not yours)`);

  async function get(owner: string, taskId: string): Promise<TaskRecord> {
    const task = isTaskId(taskId) ? await store.getOwned(owner, taskId) : undefined;
    if (!task) throw notFound(taskId);
    return task;
  }

  /** The quota refusal for this caller now, if any; reads two index counts, writes nothing. */
  async function checkQuotas(owner: string, now: number): Promise<TaskError | undefined> {
    const { maxActiveTasksPerCaller: maxLive, maxStartsPerMinutePerCaller: maxStarts } = config.quotas;
    if (maxLive === 0 && maxStarts === 0) return undefined;
    const usage = await store.usage(owner, { live: maxLive, startedInWindow: maxStarts, windowStart: now - QUOTA_WINDOW_MS });
    if (maxStarts > 0 && usage.startedInWindow >= maxStarts) {
      // The window frees a slot when its oldest start turns 60 s old.
      const retryAfterMs = Math.max(1, (usage.oldestStartInWindow ?? now) + QUOTA_WINDOW_MS - now);
      return quotaExceeded(`${maxStarts} tasks started in the last 60 s (MAX_STARTS_PER_MINUTE_PER_CALLER)`, retryAfterMs);
    }
    if (maxLive > 0 && usage.live >= maxLive) {
      return quotaExceeded(
        `${maxLive} tasks are pending or running (MAX_ACTIVE_TASKS_PER_CALLER); wait for one to finish or cancel one`,
        config.polling.initialIntervalMs,
      );
    }
    return undefined;
  }

  return {
    operations: deps.operations,

    async submit(request: SubmitRequest): Promise<SubmitResult> {
      const operation = byName.get(request.operation);
      if (!operation) {
        throw new TaskError(
          ErrorCode.UnknownOperation,
          `unknown operation_type ${JSON.stringify(request.operation)}; expected one of: ${[...byName.keys()].join(', ')}`,
        );
      }
      const { idempotencyKey } = request;
      if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
        throw new TaskError(ErrorCode.ValidationError, 'idempotency_key must be 1–128 characters of A–Z a–z 0–9 . _ : -');
      }
      const size = Buffer.byteLength(JSON.stringify(request.params ?? null));
      if (size > config.execution.maxParamsBytes) {
        throw new TaskError(ErrorCode.PayloadTooLarge, `parameters are ${size} bytes; the limit is ${config.execution.maxParamsBytes}`);
      }
      const parsed = operation.input.safeParse(request.params);
      if (!parsed.success) throw new TaskError(ErrorCode.ValidationError, validationMessage(parsed.error, 'parameters'));
      const maxWait = request.maxWaitSeconds ?? operation.defaultTimeoutSeconds ?? config.execution.defaultTimeoutSeconds;
      if (!Number.isFinite(maxWait) || maxWait <= 0) {
        throw new TaskError(ErrorCode.ValidationError, 'max_wait_seconds must be a positive number of seconds');
      }

      const now = clock();
      const taskId = idempotencyKey === undefined ? newTaskId() : idempotentTaskId(request.owner, idempotencyKey);
      const hash = payloadHash(operation.name, parsed.data);
      const overQuota = await checkQuotas(request.owner, now);
      if (overQuota) {
        // A repeated idempotent request names a task that already exists: answer it, not the quota.
        const existing = idempotencyKey === undefined ? undefined : await store.getOwned(request.owner, taskId);
        if (existing?.payloadHash === hash) return { task: existing, created: false };
        throw overQuota;
      }
      const { params, secretParams } = splitSecrets(parsed.data as Record<string, unknown>, operation.secretParams);
      const deadlineAt = now + Math.min(maxWait, config.execution.maxTimeoutSeconds) * 1000;
      const record: TaskRecord = {
        taskId,
        owner: request.owner,
        operation: operation.name,
        params,
        ...(secretParams && { secretParams }),
        status: TaskStatus.Pending,
        attempt: 0,
        maxAttempts: Math.min(operation.retry.maxAttempts, config.execution.maxAttempts),
        createdAt: now,
        updatedAt: now,
        deadlineAt,
        idempotencyKey,
        payloadHash: hash,
        // A live record outlives its deadline by the TTL, so a lost task is still readable when swept.
        expiresAt: Math.ceil(deadlineAt / 1000) + config.state.ttlSeconds,
        // The safety net: if this dispatch is lost, the sweeper re-dispatches after the grace period.
        sweepAt: Math.min(deadlineAt, now + config.execution.dispatchGraceSeconds * 1000),
      };
      const { task, created } = await store.create(record);
      if (!created) {
        if (task.payloadHash !== hash || task.owner !== request.owner) {
          throw new TaskError(
            ErrorCode.IdempotencyConflict,
            `idempotency_key "${idempotencyKey}" was already used for a different request (task ${task.taskId}); use a new key or repeat the original request`,
          );
        }
        return { task, created };
      }
      telemetry.submitted();
      try {
        await dispatcher.dispatch(taskId);
      } catch (error) {
        // The record is durable; the sweeper re-dispatches it on its next run instead of after the grace.
        logger.warn('dispatch failed; task marked for re-dispatch', { taskId, error: String(error) });
        await store.markForRedispatch(taskId).catch((markError: unknown) =>
          logger.error('could not mark task for re-dispatch; the sweeper finds it after the grace period', {
            taskId,
            error: String(markError),
          }),
        );
      }
      return { task, created };
    },

    get,

    async waitForTerminal(owner, taskId, waitMs, signal) {
      const until = clock() + Math.max(0, waitMs);
      let task = await get(owner, taskId);
      for (
        let pause = WAIT_FIRST_MS;
        !isTerminal(task.status) && clock() < until && !signal?.aborted;
        pause = Math.min(WAIT_MAX_MS, pause * 2)
      ) {
        try {
          // Progress, when there is some, spaces reads out far from the projected finish and packs them near it.
          const now = clock();
          await sleep(Math.min(waitPauseMs(pause, finishWindow(task), now), until - now), undefined, { signal });
        } catch {
          break; // aborted: answer with what we have
        }
        task = await get(owner, taskId);
      }
      return task;
    },

    async cancel(owner, taskId) {
      if (!isTaskId(taskId)) throw notFound(taskId);
      const outcome = await store.cancel(owner, taskId, config.state.ttlSeconds);
      if (!outcome) throw notFound(taskId);
      if (outcome.changed) {
        telemetry.cancelled();
        logFinished(logger, { taskId, status: TaskStatus.Cancelled, code: ErrorCode.Cancelled, by: 'caller' });
      }
      return outcome;
    },

    async list(request: ListRequest): Promise<ListResult> {
      const limit = request.limit ?? 20;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
        throw new TaskError(ErrorCode.ValidationError, `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
      }
      if (request.status !== undefined && !TASK_STATUSES.includes(request.status)) {
        throw new TaskError(ErrorCode.ValidationError, `status must be one of: ${TASK_STATUSES.join(', ')}`);
      }
      return store.listByOwner(request.owner, { status: request.status, limit, cursor: request.cursor });
    },

    pollAfterMs(task) {
      return isTerminal(task.status) ? null : taskPollAfterMs(config.polling, task, clock());
    },
  };
}

function quotaExceeded(what: string, retryAfterMs: number): TaskError {
  return new TaskError(ErrorCode.QuotaExceeded, `quota exceeded: ${what}; retry after ${retryAfterMs} ms`, {
    retryable: true,
    retryAfterMs,
  });
}

/** Moves the operation's secret parameters out of the ones that are kept and may be shown. */
function splitSecrets(all: Record<string, unknown>, secretNames: readonly string[] = []): Pick<TaskRecord, 'params' | 'secretParams'> {
  const params = { ...all };
  const secretParams: Record<string, unknown> = {};
  for (const name of secretNames) {
    if (!(name in params)) continue;
    secretParams[name] = params[name];
    delete params[name];
  }
  return Object.keys(secretParams).length > 0 ? { params, secretParams } : { params };
}
