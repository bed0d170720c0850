import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskError } from '../../lambda/tasks/task-error.js';
import { startCoreFixture, type CoreFixture } from '../support/core-fixture.js';
import { rejectionOf } from '../support/rejection.js';

let fx: CoreFixture;
beforeAll(async () => {
  fx = await startCoreFixture({ MAX_PARAMS_BYTES: '1024', TASK_TTL_SECONDS: '60' });
});
afterAll(() => fx.stop());

const errorOf = (promise: Promise<unknown>) => rejectionOf(promise, TaskError);

describe('TaskService: submit', () => {
  it('writes the record before handing out the handle and dispatches it', async () => {
    const { task, created } = await fx.core.service.submit({ owner: 'alice', operation: 'delay', params: { seconds: 0, echo: 'hi' } });
    expect(created).toBe(true);
    const stored = await fx.core.store.get(task.taskId);
    expect(stored).toMatchObject({ status: 'pending', owner: 'alice', operation: 'delay', params: { seconds: 0, echo: 'hi' }, attempt: 0 });
    expect(await fx.drainQueue()).toEqual({ received: 1, failures: 0 });
    expect(await fx.core.service.get('alice', task.taskId)).toMatchObject({ status: 'completed', result: { echo: 'hi' }, attempt: 1 });
  });

  it('returns the same task for a repeated idempotency key and payload, and refuses a different payload', async () => {
    const first = await fx.core.service.submit({
      owner: 'alice',
      operation: 'delay',
      params: { seconds: 1, echo: { a: 1, b: 2 } },
      idempotencyKey: 'order-42',
    });
    // Same payload with keys in another order is the same request.
    const again = await fx.core.service.submit({
      owner: 'alice',
      operation: 'delay',
      params: { echo: { b: 2, a: 1 }, seconds: 1 },
      idempotencyKey: 'order-42',
    });
    expect(again).toMatchObject({ created: false, task: { taskId: first.task.taskId } });
    const conflict = await errorOf(
      fx.core.service.submit({ owner: 'alice', operation: 'delay', params: { seconds: 2 }, idempotencyKey: 'order-42' }),
    );
    expect(conflict.code).toBe('idempotency_conflict');
    // Another owner's identical key is another task.
    const bob = await fx.core.service.submit({
      owner: 'bob',
      operation: 'delay',
      params: { seconds: 1, echo: { a: 1, b: 2 } },
      idempotencyKey: 'order-42',
    });
    expect(bob.created).toBe(true);
    expect(bob.task.taskId).not.toBe(first.task.taskId);
  });

  it.each([
    ['an unknown operation', { operation: 'nope', params: {} }, 'unknown_operation', /expected one of: .*delay/],
    ['parameters failing the schema', { operation: 'delay', params: { seconds: 'soon' } }, 'validation_error', /parameters\.seconds/],
    ['parameters out of range', { operation: 'delay', params: { seconds: 901 } }, 'validation_error', /parameters\.seconds/],
    ['parameters that are not an object', { operation: 'delay', params: 'x' }, 'validation_error', /parameters/],
    ['oversized parameters', { operation: 'delay', params: { seconds: 0, echo: 'x'.repeat(2000) } }, 'payload_too_large', /limit is 1024/],
    [
      'a bad idempotency key',
      { operation: 'delay', params: { seconds: 0 }, idempotencyKey: 'has spaces' },
      'validation_error',
      /idempotency_key/,
    ],
    [
      'a non-positive max_wait_seconds',
      { operation: 'delay', params: { seconds: 0 }, maxWaitSeconds: 0 },
      'validation_error',
      /max_wait_seconds/,
    ],
  ])('refuses %s with a structured error and writes nothing', async (_, request, code, message) => {
    const before = (await fx.scanAll()).length;
    const error = await errorOf(fx.core.service.submit({ owner: 'carol', ...request }));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect((await fx.scanAll()).length).toBe(before);
  });

  it('takes the SLA from the caller, else the operation, else DEFAULT_TIMEOUT_SECONDS', async () => {
    const sla = async (operation: string, params: Record<string, unknown>, maxWaitSeconds?: number) => {
      const { task } = await fx.core.service.submit({ owner: 'sla', operation, params, maxWaitSeconds });
      await fx.core.service.cancel('sla', task.taskId);
      return (task.deadlineAt - task.createdAt) / 1000;
    };
    expect(await sla('delay', { seconds: 0 }, 7)).toBe(7);
    expect(await sla('http_request', { url: 'https://example.com/' })).toBe(30); // http_request's own
    expect(await sla('delay', { seconds: 0 })).toBe(fx.config.execution.defaultTimeoutSeconds);
    await fx.drainQueue();
  });

  it('caps max_wait_seconds at the configured maximum', async () => {
    const { task } = await fx.core.service.submit({ owner: 'alice', operation: 'delay', params: { seconds: 0 }, maxWaitSeconds: 100_000 });
    expect(task.deadlineAt - task.createdAt).toBe(fx.config.execution.maxTimeoutSeconds * 1000);
    await fx.drainQueue();
  });
});

describe('TaskService: reads are owner-scoped', () => {
  it('treats a foreign, unknown or malformed reference as not_found', async () => {
    const { task } = await fx.core.service.submit({ owner: 'alice', operation: 'delay', params: { seconds: 0 } });
    for (const [owner, ref] of [
      ['mallory', task.taskId],
      ['alice', 'AAAAAAAAAAAAAAAAAAAAAA'],
      ['alice', '../etc/passwd'],
    ] as const) {
      expect((await errorOf(fx.core.service.get(owner, ref))).code).toBe('not_found');
      expect((await errorOf(fx.core.service.cancel(owner, ref))).code).toBe('not_found');
    }
    expect((await fx.core.service.get('alice', task.taskId)).taskId).toBe(task.taskId);
    await fx.drainQueue();
  });

  it('reads an expired record as gone even though it is still stored', async () => {
    const { task } = await fx.core.service.submit({ owner: 'dave', operation: 'delay', params: { seconds: 0 } });
    await fx.drainQueue();
    expect((await fx.core.service.get('dave', task.taskId)).status).toBe('completed');
    fx.clock.advance(61_000); // past the 60 s TTL
    try {
      expect((await errorOf(fx.core.service.get('dave', task.taskId))).code).toBe('not_found');
      expect((await fx.core.service.list({ owner: 'dave' })).tasks).toHaveLength(0);
      expect((await fx.scanAll()).some((r) => r.taskId === task.taskId)).toBe(true);
    } finally {
      fx.clock.advance(-61_000);
    }
  });

  it('lists only the caller’s tasks, newest first, page by page', async () => {
    const refs: string[] = [];
    for (let i = 0; i < 5; i++) {
      refs.push((await fx.core.service.submit({ owner: 'erin', operation: 'delay', params: { seconds: 0, echo: i } })).task.taskId);
      fx.clock.advance(1); // distinct createdAt
    }
    const first = await fx.core.service.list({ owner: 'erin', limit: 3 });
    expect(first.tasks.map((t) => t.taskId)).toEqual(refs.slice(2).reverse());
    expect(first.nextCursor).toBeDefined();
    const second = await fx.core.service.list({ owner: 'erin', limit: 3, cursor: first.nextCursor });
    expect(second.tasks.map((t) => t.taskId)).toEqual(refs.slice(0, 2).reverse());
    // Another owner cannot use erin's cursor to page into her tasks.
    expect((await errorOf(fx.core.service.list({ owner: 'mallory', cursor: first.nextCursor }))).code).toBe('invalid_cursor');
    expect((await errorOf(fx.core.service.list({ owner: 'erin', limit: 0 }))).code).toBe('validation_error');
    expect((await fx.core.service.list({ owner: 'erin', status: 'completed' })).tasks).toHaveLength(0);
    while ((await fx.drainQueue()).received > 0);
    expect((await fx.core.service.list({ owner: 'erin', status: 'completed' })).tasks).toHaveLength(5);
  });

  it('fills a filtered page although the newest tasks do not match the filter', async () => {
    const refs: string[] = [];
    for (let i = 0; i < 6; i++) {
      refs.push((await fx.core.service.submit({ owner: 'ivy', operation: 'delay', params: { seconds: 0, echo: i } })).task.taskId);
      fx.clock.advance(1);
    }
    // The three newest are cancelled; the three oldest stay pending.
    for (const ref of refs.slice(3)) await fx.core.service.cancel('ivy', ref);
    const page = await fx.core.service.list({ owner: 'ivy', status: 'pending', limit: 3 });
    expect(page.tasks.map((t) => t.taskId)).toEqual(refs.slice(0, 3).reverse());
    while ((await fx.drainQueue()).received > 0);
  });
});

describe('TaskService: waiting and hints', () => {
  it('long-polls until the task is terminal and returns early', async () => {
    const { task } = await fx.core.service.submit({ owner: 'frank', operation: 'delay', params: { seconds: 0 } });
    const waiting = fx.core.service.waitForTerminal('frank', task.taskId, 10_000);
    await fx.drainQueue();
    expect((await waiting).status).toBe('completed');
  });

  it('returns the live state when the wait is over', async () => {
    const { task } = await fx.core.service.submit({ owner: 'frank', operation: 'delay', params: { seconds: 0 } });
    expect((await fx.core.service.waitForTerminal('frank', task.taskId, 100)).status).toBe('pending');
    await fx.drainQueue();
  });

  it('hints 1 s, doubling with age, capped at 30 s, and null once terminal', async () => {
    const { task } = await fx.core.service.submit({ owner: 'gina', operation: 'delay', params: { seconds: 0 } });
    expect(fx.core.service.pollAfterMs(task)).toBe(1000);
    const aged = (ms: number) => fx.core.service.pollAfterMs({ ...task, createdAt: fx.clock() - ms });
    expect([aged(2_500), aged(5_000), aged(20_000), aged(600_000)]).toEqual([2000, 4000, 16000, 30000]);
    expect(fx.core.service.pollAfterMs({ ...task, status: 'completed' })).toBeNull();
    await fx.drainQueue();
  });

  it("aims the hint at the finish that a running task's progress projects, within the age-only hint", async () => {
    const { task } = await fx.core.service.submit({ owner: 'gina', operation: 'delay', params: { seconds: 0 } });
    const now = fx.clock();
    // 95 % after 20 s: the finish is projected 1 053 ms ahead, aimed 211 ms (1 % of the run) later.
    const hint = fx.core.service.pollAfterMs({
      ...task,
      status: 'processing',
      createdAt: now - 20_000,
      startedAt: now - 20_000,
      updatedAt: now,
      progress: { percent: 95 },
    });
    expect(hint).toBeGreaterThan(1200);
    expect(hint).toBeLessThanOrEqual(1263);
    await fx.drainQueue();
  });
});

describe('TaskService: cancel', () => {
  it('cancels a pending task once and leaves a terminal task unchanged', async () => {
    const { task } = await fx.core.service.submit({ owner: 'hal', operation: 'delay', params: { seconds: 0 } });
    const first = await fx.core.service.cancel('hal', task.taskId);
    expect(first).toMatchObject({ changed: true, task: { status: 'cancelled', error: { code: 'cancelled' } } });
    const second = await fx.core.service.cancel('hal', task.taskId);
    expect(second).toMatchObject({ changed: false, task: { status: 'cancelled' } });
    // The queued delivery finds it cancelled and does not run it.
    await fx.drainQueue();
    expect((await fx.core.service.get('hal', task.taskId)).status).toBe('cancelled');
  });
});
