import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sweep } from '../../lambda/tasks/sweep.js';
import { startCoreFixture, type CoreFixture } from '../support/core-fixture.js';

let fx: CoreFixture;
beforeAll(async () => {
  fx = await startCoreFixture({ LEASE_SECONDS: '2', DISPATCH_GRACE_SECONDS: '5' });
});
afterAll(() => fx.stop());

/** Takes every queued message away without running it: the dispatch (or the worker) is lost. */
async function loseQueuedMessages(): Promise<number> {
  const { sqs } = fx.emulators.clients;
  let lost = 0;
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: fx.emulators.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return lost;
    for (const m of Messages)
      await sqs.send(new DeleteMessageCommand({ QueueUrl: fx.emulators.queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    lost += Messages.length;
  }
}

/** A task whose worker claimed it and then died without a word. */
async function taskWithDeadWorker(maxWaitSeconds = 60, operation = 'delay'): Promise<string> {
  const params = operation === 'delay' ? { seconds: 0 } : { method: 'GET', url: 'http://127.0.0.1:9/' };
  const { task } = await fx.core.service.submit({ owner: 'sweep-test', operation, params, maxWaitSeconds });
  await loseQueuedMessages();
  expect(await fx.core.store.claim(task.taskId, 'dead-worker', 2_000)).toBeDefined();
  return task.taskId;
}

const sweepNow = () => sweep(fx.core.deps);
const read = (taskId: string) => fx.core.store.get(taskId);

beforeEach(async () => {
  // Leave nothing due from an earlier test: finish or fail whatever is live, far in the future.
  fx.clock.advance(10 * 3_600_000);
  await sweepNow();
  fx.clock.advance(-10 * 3_600_000);
  await loseQueuedMessages();
});

describe('sweep', () => {
  it('leaves live tasks alone while their lease and dispatch grace hold', async () => {
    await taskWithDeadWorker();
    const { task } = await fx.core.service.submit({ owner: 'sweep-test', operation: 'delay', params: { seconds: 0 } });
    expect(await sweepNow()).toMatchObject({ examined: 0, redispatched: 0 });
    expect((await read(task.taskId))?.status).toBe('pending');
  });

  it('re-dispatches a task whose worker died, and the next worker completes it', async () => {
    const taskId = await taskWithDeadWorker(60, 'http_request');
    fx.clock.advance(3_000); // past the 2 s lease
    try {
      expect(await sweepNow()).toMatchObject({ redispatched: 1, workerLost: 0 });
      expect(await read(taskId)).toMatchObject({ status: 'pending', attempt: 1 });
    } finally {
      fx.clock.advance(-3_000);
    }
    // The re-dispatched delivery is claimed as attempt 2 (the refused loopback URL then fails it for good).
    await fx.drainQueue();
    expect(await read(taskId)).toMatchObject({ attempt: 2, status: 'failed', error: { code: 'operation_error' } });
  });

  it('fails a task whose worker died on its last attempt with worker_lost', async () => {
    const taskId = await taskWithDeadWorker(); // attempt 1 of delay's 3 dies
    try {
      for (const attempt of [2, 3]) {
        fx.clock.advance(3_000);
        expect(await sweepNow()).toMatchObject({ redispatched: 1, workerLost: 0 });
        await loseQueuedMessages();
        expect(await fx.core.store.claim(taskId, `dead-worker-${attempt}`, 2_000)).toMatchObject({ attempt });
      }
      fx.clock.advance(3_000);
      expect(await sweepNow()).toMatchObject({ workerLost: 1, redispatched: 0 });
    } finally {
      fx.clock.advance(-9_000);
    }
    expect(await read(taskId)).toMatchObject({ status: 'failed', attempt: 3, error: { code: 'worker_lost', retryable: true } });
    // Off both live indexes.
    expect((await fx.scanAll()).find((item) => item.taskId === taskId)).not.toHaveProperty('activeShard');
    expect((await fx.scanAll()).find((item) => item.taskId === taskId)).not.toHaveProperty('liveOwner');
  });

  it('fails a task past its deadline with timeout, whether pending or processing', async () => {
    const processing = await taskWithDeadWorker(1);
    const { task: pending } = await fx.core.service.submit({
      owner: 'sweep-test',
      operation: 'delay',
      params: { seconds: 0 },
      maxWaitSeconds: 1,
    });
    await loseQueuedMessages();
    fx.clock.advance(1_500);
    try {
      // The pending one is due at its deadline; a dead worker's task is due when its lease runs out.
      expect(await sweepNow()).toMatchObject({ timedOut: 1 });
      expect(await read(pending.taskId)).toMatchObject({ status: 'failed', error: { code: 'timeout' } });
      fx.clock.advance(1_000);
      expect(await sweepNow()).toMatchObject({ timedOut: 1, workerLost: 0 });
    } finally {
      fx.clock.advance(-2_500);
    }
    for (const taskId of [processing, pending.taskId])
      expect(await read(taskId)).toMatchObject({ status: 'failed', error: { code: 'timeout' } });
  });

  it('re-dispatches a pending task whose dispatch was lost, after the grace period', async () => {
    const { task } = await fx.core.service.submit({ owner: 'sweep-test', operation: 'delay', params: { seconds: 0, echo: 'rescued' } });
    expect(await loseQueuedMessages()).toBe(1);
    expect((await sweepNow()).redispatched).toBe(0);
    fx.clock.advance(6_000);
    try {
      expect((await sweepNow()).redispatched).toBe(1);
    } finally {
      fx.clock.advance(-6_000);
    }
    await fx.drainQueue();
    expect(await read(task.taskId)).toMatchObject({ status: 'completed', result: { echo: 'rescued' } });
  });

  it('does each rescue once when two sweeps run at the same time', async () => {
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await taskWithDeadWorker(60, 'http_request'));
    fx.clock.advance(3_000);
    try {
      const [a, b] = await Promise.all([sweepNow(), sweepNow()]);
      expect(a.redispatched + b.redispatched).toBe(6);
      expect(a.errors + b.errors).toBe(0);
    } finally {
      fx.clock.advance(-3_000);
    }
    expect(await loseQueuedMessages()).toBe(6);
    for (const id of ids) expect((await read(id))?.status).toBe('pending');
  });

  it('decides on the record itself, not on a stale index entry', async () => {
    const { task } = await fx.core.service.submit({ owner: 'sweep-test', operation: 'delay', params: { seconds: 0 } });
    await fx.drainQueue();
    // The index still shows the task processing with a long-expired lease; the record says completed.
    const stale = { ...task, status: 'processing' as const, attempt: 1, leaseExpiresAt: 1, sweepAt: 1 };
    const store = Object.assign(Object.create(fx.core.store), {
      async *due() {
        yield stale;
      },
    });
    expect(await sweep({ ...fx.core.deps, store })).toMatchObject({ examined: 1, redispatched: 0, workerLost: 0, timedOut: 0 });
    expect((await read(task.taskId))?.status).toBe('completed');
    expect(await loseQueuedMessages()).toBe(0);
  });

  it('after a crash, rescues live tasks from the table even when the index lost them', async () => {
    const taskId = await taskWithDeadWorker();
    const store = Object.assign(Object.create(fx.core.store), {
      async *due() {}, // an index that missed the last writes
    });
    expect((await sweep({ ...fx.core.deps, store })).examined).toBe(0);
    expect(await sweep({ ...fx.core.deps, store }, { orphaned: true })).toMatchObject({ redispatched: 1 });
    await fx.drainQueue();
    expect(await read(taskId)).toMatchObject({ status: 'completed', attempt: 2 });
  });

  it('stops when its time budget is spent, leaving the rest due for the next run', async () => {
    for (let i = 0; i < 3; i++) await taskWithDeadWorker(60, 'http_request');
    fx.clock.advance(3_000);
    try {
      expect(await sweep(fx.core.deps, { budgetMs: 0 })).toMatchObject({ examined: 1, redispatched: 1 });
      expect(await sweepNow()).toMatchObject({ examined: 2, redispatched: 2 });
    } finally {
      fx.clock.advance(-3_000);
    }
    await loseQueuedMessages();
  });
});
