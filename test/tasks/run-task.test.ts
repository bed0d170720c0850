import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { delay } from '../../lambda/operations/delay.js';
import { defineOperation, OperationError } from '../../lambda/operations/operation.js';
import { runTask } from '../../lambda/tasks/run-task.js';
import { startCoreFixture, type CoreFixture } from '../support/core-fixture.js';

/** Test operations whose every call is counted, so "ran once" can be checked. */
const calls: Record<string, number> = {};
const count = (name: string) => (calls[name] = (calls[name] ?? 0) + 1);

const slow = defineOperation({
  name: 'slow',
  description: 'waits on its signal, recording how it ended',
  input: z.object({ ms: z.number() }),
  defaultTimeoutSeconds: 30,
  retry: { maxAttempts: 2, baseDelaySeconds: 0 },
  async execute({ ms }, ctx) {
    count('slow');
    ctx.reportProgress(10, 'started');
    await sleep(ms, undefined, { signal: ctx.signal });
    return { sleptMs: ms };
  },
});

const stubborn = defineOperation({
  name: 'stubborn',
  description: 'ignores its abort signal entirely',
  input: z.object({}),
  defaultTimeoutSeconds: 1,
  retry: { maxAttempts: 1, baseDelaySeconds: 0 },
  async execute() {
    count('stubborn');
    await sleep(3_000);
    return 'too late';
  },
});

const flaky = defineOperation({
  name: 'flaky',
  description: 'fails retryably until its third attempt',
  input: z.object({ failUntil: z.number() }),
  defaultTimeoutSeconds: 30,
  retry: { maxAttempts: 3, baseDelaySeconds: 0 },
  async execute({ failUntil }, ctx) {
    count('flaky');
    if (ctx.attempt < failUntil) throw new OperationError(`upstream 503 on attempt ${ctx.attempt}`, { retryable: true });
    return { attempt: ctx.attempt };
  },
});

const huge = defineOperation({
  name: 'huge',
  description: 'returns more than a record can hold',
  input: z.object({}),
  defaultTimeoutSeconds: 30,
  retry: { maxAttempts: 1, baseDelaySeconds: 0 },
  async execute() {
    return 'x'.repeat(2_000);
  },
});

let fx: CoreFixture;
beforeAll(async () => {
  fx = await startCoreFixture(
    { LEASE_SECONDS: '1', MAX_RESULT_BYTES: '1024' },
    { operations: [delay, slow, stubborn, flaky, huge], memoryStore: true },
  );
});
afterAll(() => fx.stop());
beforeEach(() => {
  for (const key of Object.keys(calls)) delete calls[key];
});

const submit = (operation: string, params: Record<string, unknown>, maxWaitSeconds?: number) =>
  fx.core.service.submit({ owner: 'worker-test', operation, params, maxWaitSeconds }).then((r) => r.task.taskId);
const read = (taskId: string) => fx.core.store.get(taskId);

describe('runTask', () => {
  it('completes a task with its result and progress, once', async () => {
    const taskId = await submit('slow', { ms: 20 });
    expect(await runTask(fx.core.deps, taskId)).toBe('completed');
    expect(await read(taskId)).toMatchObject({ status: 'completed', result: { sleptMs: 20 }, attempt: 1 });
    expect((await read(taskId))!.finishedAt).toBeGreaterThanOrEqual((await read(taskId))!.startedAt!);
    await fx.drainQueue();
  });

  it('runs the operation once when the same message is delivered twice, also concurrently', async () => {
    const taskId = await submit('slow', { ms: 200 });
    const outcomes = await Promise.all([runTask(fx.core.deps, taskId), runTask(fx.core.deps, taskId)]);
    expect(outcomes.sort()).toEqual(['completed', 'skipped']);
    expect(await runTask(fx.core.deps, taskId)).toBe('skipped'); // a late redelivery of a finished task
    expect(calls.slow).toBe(1);
    await fx.drainQueue();
  });

  it('fails with operation_error when the operation fails', async () => {
    const taskId = await submit('delay', { seconds: 0, fail: 'upstream said no' });
    expect(await runTask(fx.core.deps, taskId)).toBe('failed');
    expect(await read(taskId)).toMatchObject({
      status: 'failed',
      error: { code: 'operation_error', message: 'upstream said no', retryable: false },
    });
    await fx.drainQueue();
  });

  it('retries a retryable failure through the queue until it succeeds', async () => {
    const taskId = await submit('flaky', { failUntil: 3 });
    await fx.drainQueue(); // attempt 1 fails, re-dispatched
    expect(await read(taskId)).toMatchObject({ status: 'pending', attempt: 1, error: { code: 'operation_error', retryable: true } });
    await fx.drainQueue(); // attempt 2
    await fx.drainQueue(); // attempt 3 succeeds
    expect(await read(taskId)).toMatchObject({ status: 'completed', attempt: 3, result: { attempt: 3 } });
    expect(calls.flaky).toBe(3);
  });

  it('fails once attempts are spent', async () => {
    const taskId = await submit('flaky', { failUntil: 9 });
    for (let i = 0; i < 4; i++) await fx.drainQueue();
    expect(await read(taskId)).toMatchObject({ status: 'failed', attempt: 3, error: { code: 'operation_error', retryable: true } });
    expect(calls.flaky).toBe(3);
  });

  it('aborts the operation at its deadline and fails it with timeout', async () => {
    const taskId = await submit('slow', { ms: 10_000 }, 1);
    expect(await runTask(fx.core.deps, taskId)).toBe('failed');
    expect(await read(taskId)).toMatchObject({ status: 'failed', error: { code: 'timeout' } });
    await fx.drainQueue();
  });

  it('stops waiting for an operation that ignores its signal', async () => {
    const taskId = await submit('stubborn', {}, 1);
    expect(await runTask(fx.core.deps, taskId)).toBe('failed');
    expect(await read(taskId)).toMatchObject({ status: 'failed', error: { code: 'timeout' } });
    await fx.drainQueue();
  });

  it('aborts a running task at its next heartbeat once cancelled, and cancel wins over the late result', async () => {
    const taskId = await submit('slow', { ms: 5_000 });
    const running = runTask(fx.core.deps, taskId);
    await sleep(100);
    expect((await fx.core.service.cancel('worker-test', taskId)).changed).toBe(true);
    expect(await running).toBe('cancelled');
    expect(await read(taskId)).toMatchObject({ status: 'cancelled' });
    expect((await read(taskId))!.result).toBeUndefined();
    await fx.drainQueue();
  });

  it('discards a late completion when the task was cancelled meanwhile', async () => {
    const taskId = await submit('slow', { ms: 0 });
    const claimed = await fx.core.store.claim(taskId, 'lease-a', 10_000);
    expect(claimed?.status).toBe('processing');
    await fx.core.service.cancel('worker-test', taskId);
    expect(await fx.core.store.complete(taskId, 'lease-a', JSON.stringify({ late: true }), 60)).toBe(false);
    expect(await read(taskId)).toMatchObject({ status: 'cancelled' });
    await fx.drainQueue();
  });

  it('fails with result_too_large instead of crashing', async () => {
    const taskId = await submit('huge', {});
    expect(await runTask(fx.core.deps, taskId)).toBe('failed');
    expect(await read(taskId)).toMatchObject({ status: 'failed', error: { code: 'result_too_large' } });
    await fx.drainQueue();
  });

  it('releases the task for a fresh worker when this one runs out of time', async () => {
    const taskId = await submit('slow', { ms: 5_000 });
    const outcome = await runTask(fx.core.deps, taskId, { remainingTimeMs: () => 10_000 }); // 10 s left − 10 s margin: no time at all
    expect(outcome).toBe('retried');
    expect(await read(taskId)).toMatchObject({
      status: 'pending',
      attempt: 1,
      error: { code: 'worker_lost', message: 'the worker ran out of time on attempt 1 of 2', retryable: true },
    });
    await fx.core.service.cancel('worker-test', taskId);
    await fx.drainQueue();
  });

  it('ends a task whose every attempt ran out of worker time as worker_lost, not timeout: its deadline is still ahead', async () => {
    const taskId = await submit('slow', { ms: 5_000 });
    const noTime = { remainingTimeMs: () => 10_000 };

    expect(await runTask(fx.core.deps, taskId, noTime)).toBe('retried');
    expect(await runTask(fx.core.deps, taskId, noTime)).toBe('failed');
    const failed = await read(taskId);
    expect(failed).toMatchObject({
      status: 'failed',
      attempt: 2,
      error: { code: 'worker_lost', message: 'the worker ran out of time on attempt 2 of 2', retryable: true },
    });
    expect(failed!.finishedAt).toBeLessThan(failed!.deadlineAt);
    await fx.drainQueue();
  });

  it('skips a task in retry backoff and a task past its deadline', async () => {
    const taskId = await submit('slow', { ms: 0 }, 1);
    fx.clock.advance(2_000);
    try {
      expect(await runTask(fx.core.deps, taskId)).toBe('skipped');
    } finally {
      fx.clock.advance(-2_000);
    }
    await fx.drainQueue();
  });
});
