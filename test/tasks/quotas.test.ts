import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delay } from '../../lambda/operations/delay.js';
import { createCore } from '../../lambda/tasks/core.js';
import { TaskError } from '../../lambda/tasks/task-error.js';
import { startCoreFixture, testConfig, type CoreFixture } from '../support/core-fixture.js';
import { rejectionOf } from '../support/rejection.js';

let fx: CoreFixture;
beforeAll(async () => {
  fx = await startCoreFixture({}, { operations: [delay] });
});
afterAll(() => fx.stop());

/** A core with its own quota settings on the shared emulators (and the fixture's clock). */
function coreWithQuotas(vars: Record<string, string>) {
  return createCore(testConfig(fx.emulators, vars), fx.emulators.clients, { clock: fx.clock, operations: [delay] });
}

const refusal = (promise: Promise<unknown>) => rejectionOf(promise, TaskError);

/** Cancels the owner's live tasks and empties the queue, so no 60 s delay runs. */
async function settle(...owners: string[]) {
  for (const owner of owners) {
    const { tasks } = await fx.core.service.list({ owner, limit: 100 });
    for (const task of tasks) await fx.core.service.cancel(owner, task.taskId);
  }
  while ((await fx.drainQueue()).received > 0);
}

const stored = async (owner: string) => (await fx.scanAll()).filter((item) => item.owner === owner).length;

describe('per-caller quotas', () => {
  it('refuses a start over MAX_ACTIVE_TASKS_PER_CALLER with quota_exceeded, retryable, writing nothing; other callers are unaffected', async () => {
    const core = coreWithQuotas({ MAX_ACTIVE_TASKS_PER_CALLER: '3' });
    const start = (owner: string) => core.service.submit({ owner, operation: 'delay', params: { seconds: 60 } });
    const live = [await start('quota-a'), await start('quota-a'), await start('quota-a')];

    const error = await refusal(start('quota-a'));

    expect(error.toInfo()).toEqual({
      code: 'quota_exceeded',
      message:
        'quota exceeded: 3 tasks are pending or running (MAX_ACTIVE_TASKS_PER_CALLER); wait for one to finish or cancel one; retry after 1000 ms',
      retryable: true,
      retry_after_ms: 1000,
    });
    expect(await stored('quota-a')).toBe(3);
    await expect(start('quota-b')).resolves.toMatchObject({ created: true });

    // A finished task frees its slot.
    await core.service.cancel('quota-a', live[0]!.task.taskId);
    await expect(start('quota-a')).resolves.toMatchObject({ created: true });
    expect(await stored('quota-a')).toBe(4);
    await settle('quota-a', 'quota-b');
  });

  it('refuses a start over MAX_STARTS_PER_MINUTE_PER_CALLER until the oldest start is 60 s old', async () => {
    const core = coreWithQuotas({ MAX_STARTS_PER_MINUTE_PER_CALLER: '2' });
    const start = () => core.service.submit({ owner: 'quota-rate', operation: 'delay', params: { seconds: 0 } });
    const first = await start();
    await start();

    const before = fx.clock();
    const error = await refusal(start());
    const after = fx.clock();

    expect(error.code).toBe('quota_exceeded');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(
      /^quota exceeded: 2 tasks started in the last 60 s \(MAX_STARTS_PER_MINUTE_PER_CALLER\); retry after \d+ ms$/,
    );
    // The window frees a slot when the first start turns 60 s old.
    const freesAt = first.task.createdAt + 60_000;
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(freesAt - after);
    expect(error.retryAfterMs).toBeLessThanOrEqual(freesAt - before);
    expect(error.message).toContain(`retry after ${error.retryAfterMs} ms`);
    expect(await stored('quota-rate')).toBe(2);

    fx.clock.advance(60_001);
    try {
      await expect(start()).resolves.toMatchObject({ created: true });
    } finally {
      fx.clock.advance(-60_001);
    }
    await fx.drainQueue();
  });

  it('answers a repeated idempotent request over the quota with the task it already created', async () => {
    const core = coreWithQuotas({ MAX_ACTIVE_TASKS_PER_CALLER: '1' });
    const request = { owner: 'quota-idem', operation: 'delay', params: { seconds: 60 }, idempotencyKey: 'order-7' };
    const first = await core.service.submit(request);

    const again = await core.service.submit(request);

    expect(again).toEqual({ task: expect.objectContaining({ taskId: first.task.taskId }), created: false });
    expect((await refusal(core.service.submit({ ...request, idempotencyKey: 'order-8' }))).code).toBe('quota_exceeded');
    expect(await stored('quota-idem')).toBe(1);
    await settle('quota-idem');
  });
});
