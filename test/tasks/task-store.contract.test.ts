import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoTaskStore } from '../../lambda/tasks/dynamo-task-store.js';
import { MemoryTaskStore } from '../../lambda/tasks/memory-task-store.js';
import { lostReason, TaskStatus, type TaskRecord } from '../../lambda/tasks/task.js';
import { newTaskId } from '../../lambda/tasks/task-id.js';
import { UnstorableError, type TaskStore } from '../../lambda/tasks/task-store.js';
import { startEmulators, type Emulators } from '../../local/emulators.js';
import { testClock, type TestClock } from '../support/core-fixture.js';

/** One contract, two adapters: every rule of the state machine holds the same in DynamoDB and in memory. */

let emulators: Emulators;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(() => emulators.stop());

const adapters: Array<[string, (clock: TestClock) => TaskStore]> = [
  ['DynamoDB', (clock) => new DynamoTaskStore(emulators.clients.ddb, emulators.tableName, clock)],
  ['memory', (clock) => new MemoryTaskStore(clock)],
];

const TTL = 3_600;
const AWKWARD = JSON.parse(
  `{"big":123456789012345678901234567890,"tiny":1e-200,"deep":${'['.repeat(40)}1${']'.repeat(40)},"empty":{"s":"","a":[]}}`,
);

describe.each(adapters)('TaskStore contract: %s', (_name, makeStore) => {
  const clock = testClock();
  let store: TaskStore;
  let owners = 0;
  beforeAll(() => {
    store = makeStore(clock);
  });

  /** A fresh pending record, as the service writes it, of a fresh owner unless given one. */
  function record(overrides: Partial<TaskRecord> = {}): TaskRecord {
    const now = clock();
    return {
      taskId: newTaskId(),
      owner: `owner-${owners++}`,
      operation: 'op',
      params: { n: 1 },
      status: TaskStatus.Pending,
      attempt: 0,
      maxAttempts: 2,
      createdAt: now,
      updatedAt: now,
      deadlineAt: now + 60_000,
      payloadHash: 'hash',
      expiresAt: Math.ceil((now + 60_000) / 1000) + TTL,
      sweepAt: now + 30_000,
      ...overrides,
    };
  }

  async function created(overrides: Partial<TaskRecord> = {}): Promise<TaskRecord> {
    const task = record(overrides);
    await store.create(task);
    return task;
  }

  async function claimed(overrides: Partial<TaskRecord> = {}, leaseId = 'lease-1'): Promise<TaskRecord> {
    const task = await created(overrides);
    expect(await store.claim(task.taskId, leaseId, 10_000)).toBeDefined();
    return (await store.get(task.taskId))!;
  }

  describe('records', () => {
    it('round-trips parameters exactly as JSON.parse reads them, and never hands secrets to a reader', async () => {
      const task = record({ params: { value: AWKWARD }, secretParams: { headers: { authorization: 'secret' } } });

      expect((await store.create(task)).task).not.toHaveProperty('secretParams');
      const read = await store.get(task.taskId);

      expect(read?.params).toEqual({ value: AWKWARD });
      expect(read).not.toHaveProperty('secretParams');
    });

    it('answers a taken id with the record that holds it, unchanged, whatever the new one asked', async () => {
      const task = await created();
      const holder = {
        task: expect.objectContaining({ taskId: task.taskId, owner: task.owner, payloadHash: 'hash', params: { n: 1 } }),
        created: false,
      };

      expect(await store.create({ ...task, params: { other: true } })).toEqual(holder);
      expect(await store.create({ ...task, payloadHash: 'different', owner: 'someone-else' })).toEqual(holder);
    });

    it('reads an expired record as absent, and scopes getOwned to its owner', async () => {
      const task = await created({ expiresAt: Math.floor(clock() / 1000) + 5 });

      expect(await store.getOwned(task.owner, task.taskId)).toMatchObject({ taskId: task.taskId });
      expect(await store.getOwned('intruder', task.taskId)).toBeUndefined();
      clock.advance(6_000);
      try {
        expect(await store.get(task.taskId)).toBeUndefined();
      } finally {
        clock.advance(-6_000);
      }
    });
  });

  describe('listing and usage', () => {
    it("lists an owner's tasks newest first, page by page, filtered by status, with cursors only that owner can use", async () => {
      const owner = `lister-${owners++}`;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await created({ owner, createdAt: clock() + i })).taskId);
      }
      const newestFirst = [...ids].reverse();

      const first = await store.listByOwner(owner, { limit: 2 });
      const second = await store.listByOwner(owner, { limit: 2, cursor: first.nextCursor });
      const third = await store.listByOwner(owner, { limit: 2, cursor: second.nextCursor });

      expect([first, second, third].map((page) => page.tasks.map((t) => t.taskId))).toEqual([
        newestFirst.slice(0, 2),
        newestFirst.slice(2, 4),
        newestFirst.slice(4),
      ]);
      expect(third.nextCursor).toBeUndefined();
      expect(first.tasks[0]).not.toHaveProperty('params');
      expect((await store.listByOwner(owner, { limit: 10, status: TaskStatus.Completed })).tasks).toEqual([]);
      await expect(store.listByOwner('intruder', { limit: 2, cursor: first.nextCursor })).rejects.toMatchObject({ code: 'invalid_cursor' });
    });

    it('counts live tasks and starts in the window, each up to its limit', async () => {
      const owner = `counted-${owners++}`;
      const windowStart = clock();
      const oldest = await created({ owner, createdAt: windowStart + 1 });
      await created({ owner, createdAt: windowStart + 2 });
      const finished = await claimed({ owner, createdAt: windowStart + 3 });
      await store.fail(finished.taskId, 'lease-1', { code: 'operation_error', message: 'no', retryable: false }, TTL);

      expect(await store.usage(owner, { live: 10, startedInWindow: 10, windowStart })).toEqual({
        live: 2,
        startedInWindow: 3,
        oldestStartInWindow: oldest.createdAt,
      });
      expect(await store.usage(owner, { live: 1, startedInWindow: 2, windowStart })).toMatchObject({ live: 1, startedInWindow: 2 });
      expect(await store.usage(owner, { live: 10, startedInWindow: 10, windowStart: windowStart + 10 })).toEqual({
        live: 2,
        startedInWindow: 0,
      });
      expect(await store.usage(owner, { live: 0, startedInWindow: 0, windowStart })).toEqual({ live: 0, startedInWindow: 0 });
    });
  });

  describe('the worker side', () => {
    it('claims a pending task once, under a lease, handing the claimer its secrets', async () => {
      const task = await created({ secretParams: { headers: { 'x-key': 'k' } } });

      const first = await store.claim(task.taskId, 'lease-a', 10_000);
      const second = await store.claim(task.taskId, 'lease-b', 10_000);

      expect(first).toMatchObject({
        status: 'processing',
        attempt: 1,
        leaseId: 'lease-a',
        leaseExpiresAt: expect.any(Number),
        secretParams: { headers: { 'x-key': 'k' } },
      });
      expect(second).toBeUndefined();
    });

    it('refuses a claim past the deadline or during retry backoff', async () => {
      const late = await created({ deadlineAt: clock() - 1 });
      const backingOff = await created({ notBefore: clock() + 5_000 });

      expect(await store.claim(late.taskId, 'lease', 10_000)).toBeUndefined();
      expect(await store.claim(backingOff.taskId, 'lease', 10_000)).toBeUndefined();
    });

    it('lets only the lease holder heartbeat, record progress and complete; the result reads back exactly', async () => {
      const task = await claimed({ secretParams: { token: 't' } });

      expect(await store.heartbeat(task.taskId, 'other-lease', 10_000, { percent: 50 })).toBe(false);
      expect(await store.heartbeat(task.taskId, 'lease-1', 10_000, { percent: 40, message: 'going' })).toBe(true);
      expect((await store.get(task.taskId))?.progress).toEqual({ percent: 40, message: 'going' });
      expect(await store.complete(task.taskId, 'other-lease', '1', TTL)).toBe(false);
      expect(await store.complete(task.taskId, 'lease-1', JSON.stringify(AWKWARD), TTL)).toBe(true);

      const done = await store.get(task.taskId);
      expect(done).toMatchObject({ status: 'completed', finishedAt: expect.any(Number) });
      expect(JSON.stringify(done?.result)).toBe(JSON.stringify(AWKWARD));
      expect(await store.complete(task.taskId, 'lease-1', '2', TTL)).toBe(false);
      expect(lostReason(await store.get(task.taskId), 'lease-1', clock())).toBe('finished');
    });

    it('refuses a completion after the deadline and says the deadline passed', async () => {
      const task = await claimed({ deadlineAt: clock() + 1_000 });
      clock.advance(2_000);
      try {
        expect(await store.complete(task.taskId, 'lease-1', 'null', TTL)).toBe(false);
        expect(lostReason(await store.get(task.taskId), 'lease-1', clock())).toBe('deadline');
      } finally {
        clock.advance(-2_000);
      }
    });

    it('sends a failed attempt back to pending with backoff while attempts remain, then only a terminal failure', async () => {
      const task = await claimed({ maxAttempts: 2 });
      const error = { code: 'operation_error' as const, message: 'upstream 503', retryable: true };

      expect(await store.retry(task.taskId, 'lease-1', error, clock() + 1_000, 5_000)).toBe(true);
      expect(await store.get(task.taskId)).toMatchObject({ status: 'pending', error, notBefore: expect.any(Number) });
      clock.advance(1_001);
      try {
        expect(await store.claim(task.taskId, 'lease-2', 10_000)).toMatchObject({ attempt: 2 });
        expect(await store.retry(task.taskId, 'lease-2', error, clock() + 1_000, 5_000)).toBe(false);
        expect(await store.fail(task.taskId, 'lease-2', error, TTL)).toBe(true);
      } finally {
        clock.advance(-1_001);
      }
      expect(await store.get(task.taskId)).toMatchObject({ status: 'failed', attempt: 2, error });
    });

    it('refuses a write the store can never hold with UnstorableError, leaving the task as it was', async () => {
      const task = await claimed();

      await expect(store.complete(task.taskId, 'lease-1', JSON.stringify('x'.repeat(450_000)), TTL)).rejects.toBeInstanceOf(
        UnstorableError,
      );
      expect(await store.get(task.taskId)).toMatchObject({ status: 'processing', attempt: 1 });
    });
  });

  describe('the caller side', () => {
    it('cancels a live task once; a late completion then loses and learns why', async () => {
      const task = await claimed();

      expect(await store.cancel('intruder', task.taskId, TTL)).toBeUndefined();
      expect(await store.cancel(task.owner, task.taskId, TTL)).toMatchObject({
        changed: true,
        task: { status: 'cancelled', error: { code: 'cancelled' } },
      });
      expect(await store.cancel(task.owner, task.taskId, TTL)).toMatchObject({ changed: false, task: { status: 'cancelled' } });
      expect(await store.complete(task.taskId, 'lease-1', 'null', TTL)).toBe(false);
      expect(lostReason(await store.get(task.taskId), 'lease-1', clock())).toBe('cancelled');
    });
  });

  describe('the sweeper side', () => {
    const due = async (taskId: string, at = clock()) => {
      for await (const task of store.due(at)) if (task.taskId === taskId) return task;
      return undefined;
    };

    it('finds a pending task when its sweep time comes, lets one sweeper bump it, and re-marks it due on a failed dispatch', async () => {
      const task = await created({ sweepAt: clock() + 1_000 });
      expect(await due(task.taskId)).toBeUndefined();

      const seen = await due(task.taskId, clock() + 1_000);
      expect(seen).toMatchObject({ taskId: task.taskId, status: 'pending' });
      expect(await store.bumpPending(seen!, 60_000)).toBe(true);
      expect(await store.bumpPending(seen!, 60_000)).toBe(false);
      expect(await due(task.taskId, clock() + 1_000)).toBeUndefined();
      expect(await store.markForRedispatch(task.taskId)).toBe(true);
      expect(await due(task.taskId)).toBeDefined();
    });

    it('releases a lapsed lease back to pending while attempts remain, then fails worker_lost', async () => {
      const task = await claimed({ maxAttempts: 2 });
      const lapsed = async () => (await due(task.taskId, clock() + 10_000))!;

      const first = await lapsed();
      expect(await store.failWorkerLost(first, TTL)).toBe(false);
      expect(await store.releaseLostLease(first, 0)).toBe(true);
      expect(await store.releaseLostLease(first, 0)).toBe(false);
      expect(await store.claim(task.taskId, 'lease-2', 10_000)).toMatchObject({ attempt: 2 });
      const second = await lapsed();
      expect(await store.releaseLostLease(second, 0)).toBe(false);
      expect(await store.failWorkerLost(second, TTL)).toBe(true);
      expect(await store.get(task.taskId)).toMatchObject({ status: 'failed', error: { code: 'worker_lost', retryable: true } });
      expect(await due(task.taskId, clock() + 100_000)).toBeUndefined();
    });

    it('fails a live task past its deadline as timeout, and nothing before it', async () => {
      const task = await created({ deadlineAt: clock() + 1_000 });

      expect(await store.failTimedOut(task.taskId, TTL)).toBe(false);
      clock.advance(1_001);
      try {
        expect(await store.failTimedOut(task.taskId, TTL)).toBe(true);
        expect(await store.failTimedOut(task.taskId, TTL)).toBe(false);
      } finally {
        clock.advance(-1_001);
      }
      expect(await store.get(task.taskId)).toMatchObject({ status: 'failed', error: { code: 'timeout' } });
    });

    it('yields every live task, and no finished one, for the restart recovery', async () => {
      const live = await created();
      const done = await claimed();
      await store.fail(done.taskId, 'lease-1', { code: 'operation_error', message: 'x', retryable: false }, TTL);

      const ids: string[] = [];
      for await (const task of store.liveTasks()) ids.push(task.taskId);

      expect(ids).toContain(live.taskId);
      expect(ids).not.toContain(done.taskId);
    });
  });
});
