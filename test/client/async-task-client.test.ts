import { ErrorCode as McpErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AsyncTaskClient, type WaitProgress } from '../../client/async-task-client.js';
import { DEFAULT_POLL_SCHEDULE, nextPollDelay, pollSchedule, scheduledInterval } from '../../client/backoff.js';
import {
  ConnectionError,
  TaskCancelledError,
  TaskFailedError,
  TaskRequestError,
  TaskTimedOutError,
  WaitAbortedError,
  WaitExhaustedError,
} from '../../client/errors.js';
import { fakeMcpClient, gaps, type ScriptedAnswer } from './fake-mcp-client.js';

const processing = (extra: Partial<ScriptedAnswer> = {}): ScriptedAnswer => ({ status: 'processing', ...extra });
const completed: ScriptedAnswer = { status: 'completed', result: { echo: 'done' } };
const lowest = () => 0;
const highest = () => 0.999_999;

/** Lets the fake clock run until `promise` settles; returns what it resolved with or threw. */
async function settle<T>(promise: Promise<T>): Promise<T | Error> {
  const outcome = promise.then(
    (value) => value,
    (error: Error) => error,
  );
  await vi.runAllTimersAsync();
  return outcome;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Function: nextPollDelay', () => {
  it('follows 1 s, ×2, capped at 30 s by default', () => {
    // Act
    const intervals = Array.from({ length: 8 }, (_, index) => scheduledInterval(DEFAULT_POLL_SCHEDULE, index));

    // Assess
    expect(intervals).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('keeps every jittered interval within [d, 1.2·d)', () => {
    // Arrange
    const samples = Array.from({ length: 500 }, () => Math.random());

    // Act
    const delays = samples.map((value, i) => ({
      d: scheduledInterval(DEFAULT_POLL_SCHEDULE, i % 7),
      delay: nextPollDelay({ schedule: DEFAULT_POLL_SCHEDULE, index: i % 7, random: () => value }),
    }));

    // Assess
    for (const { d, delay } of delays) {
      expect(delay).toBeGreaterThanOrEqual(d);
      expect(delay).toBeLessThan(d * 1.2 + 1);
    }
    expect(nextPollDelay({ schedule: DEFAULT_POLL_SCHEDULE, index: 0, random: lowest })).toBe(1000);
    expect(nextPollDelay({ schedule: DEFAULT_POLL_SCHEDULE, index: 0, random: highest })).toBe(1200);
    expect(nextPollDelay({ schedule: DEFAULT_POLL_SCHEDULE, index: 9, random: highest })).toBe(36000);
  });

  it('prefers the server hint, clamped to [minMs, maxMs], and subtracts the time a request was held', () => {
    // Act & assess
    expect(nextPollDelay({ schedule: DEFAULT_POLL_SCHEDULE, index: 0, hintMs: 7000, random: lowest })).toBe(7000);
    expect(nextPollDelay({ schedule: DEFAULT_POLL_SCHEDULE, index: 0, hintMs: 0, random: lowest })).toBe(500);
    expect(nextPollDelay({ schedule: DEFAULT_POLL_SCHEDULE, index: 0, hintMs: 600_000, random: lowest })).toBe(30000);
    expect(nextPollDelay({ schedule: DEFAULT_POLL_SCHEDULE, index: 4, hintMs: null, random: lowest })).toBe(16000);
    expect(nextPollDelay({ schedule: DEFAULT_POLL_SCHEDULE, index: 0, hintMs: 16000, heldMs: 20000, random: lowest })).toBe(0);
    expect(nextPollDelay({ schedule: DEFAULT_POLL_SCHEDULE, index: 0, hintMs: 30000, heldMs: 20000, random: lowest })).toBe(10000);
  });

  it('refuses a schedule that could storm or never grow', () => {
    // Act & assess
    expect(() => pollSchedule({ initialMs: 0 })).toThrow(RangeError);
    expect(() => pollSchedule({ multiplier: 0.5 })).toThrow(RangeError);
    expect(() => pollSchedule({ jitter: 2 })).toThrow(RangeError);
  });
});

describe('Class: AsyncTaskClient — wait() schedule (fake timers)', () => {
  it('polls at 1, 2, 4, 8, 16, 30, 30 s when the server gives no hint', async () => {
    // Arrange
    const server = fakeMcpClient({ answers: [...Array.from({ length: 8 }, () => processing({ pollAfterMs: null })), completed] });
    const client = new AsyncTaskClient(server.client, { random: lowest, longPoll: false });

    // Act
    const done = await settle(client.wait(server.ref));

    // Assess
    expect(done).toMatchObject({ ref: server.ref, result: { echo: 'done' }, polls: 9 });
    expect(gaps(server.timesOf('resolve_task_status'))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('stretches every interval by jitter, never below the interval and below 1.2 times it', async () => {
    // Arrange
    const server = fakeMcpClient({ answers: [...Array.from({ length: 7 }, () => processing({ pollAfterMs: null })), completed] });
    const client = new AsyncTaskClient(server.client, { random: highest, longPoll: false });

    // Act
    await settle(client.wait(server.ref));

    // Assess
    const expected = [1000, 2000, 4000, 8000, 16000, 30000, 30000];
    const observed = gaps(server.timesOf('resolve_task_status'));
    expect(observed).toHaveLength(expected.length);
    observed.forEach((gap, i) => {
      expect(gap).toBeGreaterThan(expected[i]! * 1.19);
      expect(gap).toBeLessThan(expected[i]! * 1.2 + 1);
    });
  });

  it('prefers the server’s poll_after_ms over its own schedule', async () => {
    // Arrange
    const server = fakeMcpClient({
      answers: [processing({ pollAfterMs: 5000 }), processing({ pollAfterMs: 5000 }), processing({ pollAfterMs: 12000 }), completed],
    });
    const client = new AsyncTaskClient(server.client, { random: lowest, longPoll: false });

    // Act
    await settle(client.wait(server.ref));

    // Assess
    expect(gaps(server.timesOf('resolve_task_status'))).toEqual([5000, 5000, 12000]);
  });

  it('long-polls with the server’s largest wait_seconds and counts the time held as waiting', async () => {
    // Arrange: each live answer is held 20 s; the hints grow like the server's (16 s, then 30 s)
    const server = fakeMcpClient({
      longPollSeconds: 20,
      answers: [processing({ pollAfterMs: 16000 }), processing({ pollAfterMs: 30000 }), completed],
    });
    const client = new AsyncTaskClient(server.client, { random: lowest });

    // Act
    const done = await settle(client.wait(server.ref));

    // Assess: held 20 s ≥ 16 s → at once; held 20 s < 30 s → 10 s more
    expect(done).toMatchObject({ polls: 3 });
    const resolves = server.calls.filter((call) => call.method === 'resolve_task_status');
    expect(resolves.map((call) => call.args.wait_seconds)).toEqual([20, 20, 20]);
    expect(gaps(resolves.map((call) => call.at))).toEqual([20000, 30000]);
  });

  it('runs a handle-path task with a long-polled start, so a quick task needs no poll at all', async () => {
    // Arrange
    const server = fakeMcpClient({ longPollSeconds: 20, answers: [completed] });
    const client = new AsyncTaskClient(server.client, { random: lowest, via: 'handle' });

    // Act
    const done = await settle(client.run('delay', { seconds: 1 }));

    // Assess
    expect(server.calls.find((call) => call.method === 'initiate_background_task')?.args).toMatchObject({
      operation_type: 'delay',
      wait_seconds: 20,
    });
    expect(done).toMatchObject({ polls: 0, result: { echo: 'done' } });
    expect(server.timesOf('resolve_task_status')).toHaveLength(0);
  });

  it('reports each answer to onProgress with the status, progress and the next poll’s delay', async () => {
    // Arrange
    const server = fakeMcpClient({
      answers: [processing({ pollAfterMs: 2000, progress: { percent: 40, message: 'waited 4 of 10 s' } }), completed],
    });
    const client = new AsyncTaskClient(server.client, { random: lowest, longPoll: false });
    const seen: WaitProgress[] = [];

    // Act
    await settle(client.wait(server.ref, { onProgress: (progress) => seen.push(progress) }));

    // Assess
    expect(seen.map(({ status, progress, polls, nextPollInMs }) => ({ status, progress, polls, nextPollInMs }))).toEqual([
      { status: 'processing', progress: { percent: 40, message: 'waited 4 of 10 s' }, polls: 1, nextPollInMs: 2000 },
      { status: 'completed', progress: null, polls: 2, nextPollInMs: null },
    ]);
  });
});

describe('Class: AsyncTaskClient — wait() outcomes', () => {
  it('throws WaitExhaustedError carrying the ref after maxAttempts polls, and wait(ref) resumes', async () => {
    // Arrange
    const server = fakeMcpClient({ answers: [processing(), processing(), processing(), completed] });
    const client = new AsyncTaskClient(server.client, { random: lowest, longPoll: false });

    // Act
    const exhausted = await settle(client.wait(server.ref, { maxAttempts: 3 }));
    const resumed = await settle(client.wait((exhausted as WaitExhaustedError).ref!));

    // Assess
    expect(exhausted).toBeInstanceOf(WaitExhaustedError);
    expect(exhausted).toMatchObject({ ref: server.ref, polls: 3, lastStatus: 'processing', code: 'wait_exhausted' });
    expect(server.timesOf('resolve_task_status')).toHaveLength(4);
    expect(resumed).toMatchObject({ ref: server.ref, result: { echo: 'done' } });
  });

  it('stops at the default of 20 polls', async () => {
    // Arrange
    const server = fakeMcpClient({ answers: [processing()] });
    const client = new AsyncTaskClient(server.client, { longPoll: false });

    // Act
    const error = await settle(client.wait(server.ref));

    // Assess
    expect(error).toBeInstanceOf(WaitExhaustedError);
    expect(server.timesOf('resolve_task_status')).toHaveLength(20);
  });

  it('aborts through its signal while sleeping, carrying the ref, and polls no more', async () => {
    // Arrange
    const server = fakeMcpClient({ answers: [processing({ pollAfterMs: 10000 })] });
    const client = new AsyncTaskClient(server.client, { random: lowest, longPoll: false });
    const controller = new AbortController();
    const waiting = client.wait(server.ref, { signal: controller.signal }).catch((error: Error) => error);

    // Act
    await vi.advanceTimersByTimeAsync(3000);
    controller.abort(new Error('user pressed Ctrl-C'));
    const error = await waiting;
    await vi.advanceTimersByTimeAsync(120_000);

    // Assess
    expect(error).toBeInstanceOf(WaitAbortedError);
    expect(error).toMatchObject({ ref: server.ref, code: 'aborted' });
    expect(server.timesOf('resolve_task_status')).toHaveLength(1);
  });

  it('aborts a long poll in flight', async () => {
    // Arrange
    const server = fakeMcpClient({ longPollSeconds: 20, answers: [processing()] });
    const client = new AsyncTaskClient(server.client, { random: lowest });
    const controller = new AbortController();
    const waiting = client.wait(server.ref, { signal: controller.signal }).catch((error: Error) => error);

    // Act
    await vi.advanceTimersByTimeAsync(5000);
    controller.abort();
    const error = await waiting;

    // Assess
    expect(error).toBeInstanceOf(WaitAbortedError);
    expect(server.timesOf('resolve_task_status')).toHaveLength(1);
  });

  it('throws typed errors for failed, timed-out and cancelled tasks, each with ref, code and message', async () => {
    // Arrange
    const outcomes: ScriptedAnswer[] = [
      { status: 'failed', error: { code: 'operation_error', message: 'upstream broke', retryable: false } },
      { status: 'failed', error: { code: 'timeout', message: 'past its 5 s deadline', retryable: false } },
      { status: 'cancelled', error: { code: 'cancelled', message: 'cancelled by the caller', retryable: false } },
    ];

    // Act
    const errors = [];
    for (const answer of outcomes) {
      const server = fakeMcpClient({ answers: [answer] });
      errors.push(await settle(new AsyncTaskClient(server.client, { longPoll: false }).wait(server.ref)));
    }

    // Assess
    const [failed, timedOut, cancelled] = errors;
    expect(failed).toBeInstanceOf(TaskFailedError);
    expect(failed).not.toBeInstanceOf(TaskTimedOutError);
    expect(failed).toMatchObject({ ref: 'ref-1', code: 'operation_error', reason: 'upstream broke' });
    expect(timedOut).toBeInstanceOf(TaskTimedOutError);
    expect(timedOut).toBeInstanceOf(TaskFailedError);
    expect(timedOut).toMatchObject({ ref: 'ref-1', code: 'timeout', reason: 'past its 5 s deadline' });
    expect(cancelled).toBeInstanceOf(TaskCancelledError);
    expect(cancelled).toMatchObject({ ref: 'ref-1', code: 'cancelled', reason: 'cancelled by the caller' });
  });

  it('spends one poll on a network blip and keeps waiting on the schedule', async () => {
    // Arrange
    const reset = new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
    const server = fakeMcpClient({ answers: [processing({ pollAfterMs: 4000 }), { status: 'processing', fail: reset }, completed] });
    const client = new AsyncTaskClient(server.client, { random: lowest, longPoll: false });

    // Act
    const done = await settle(client.wait(server.ref));

    // Assess: after the failed poll the schedule's own next interval applies (index 1 → 2 s)
    expect(done).toMatchObject({ polls: 3, result: { echo: 'done' } });
    expect(gaps(server.timesOf('resolve_task_status'))).toEqual([4000, 2000]);
  });

  it('gives up at once on a refusal that will not change, with the ref', async () => {
    // Arrange
    const server = fakeMcpClient({
      answers: [{ status: 'processing', refuse: { code: 'not_found', message: 'task "ref-1" not found', retryable: false } }],
    });
    const client = new AsyncTaskClient(server.client, { longPoll: false });

    // Act
    const error = await settle(client.wait(server.ref));

    // Assess
    expect(error).toBeInstanceOf(TaskRequestError);
    expect(error).toMatchObject({ code: 'not_found', ref: 'ref-1', message: 'task "ref-1" not found' });
    expect(server.timesOf('resolve_task_status')).toHaveLength(1);
  });

  it('reports an unreachable server as a ConnectionError once the polls run out', async () => {
    // Arrange
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const server = fakeMcpClient({ answers: [{ status: 'processing', fail: refused }] });
    const client = new AsyncTaskClient(server.client, { random: lowest, longPoll: false, maxAttempts: 3 });

    // Act
    const error = await settle(client.wait(server.ref));

    // Assess
    expect(error).toBeInstanceOf(WaitExhaustedError);
    expect((error as WaitExhaustedError).cause).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ ref: 'ref-1', polls: 3, lastStatus: 'unknown' });
  });
});

describe('Class: AsyncTaskClient — native MCP tasks', () => {
  it('starts natively when the server advertises tasks, then follows tasks/get’s pollInterval and ends with tasks/result', async () => {
    // Arrange
    const server = fakeMcpClient({
      native: true,
      answers: [
        processing({ pollAfterMs: 2000, progress: { percent: 50, message: 'half way' } }),
        processing({ pollAfterMs: 4000 }),
        completed,
      ],
    });
    const client = new AsyncTaskClient(server.client, { random: lowest, longPoll: false });
    const seen: WaitProgress[] = [];

    // Act
    const done = await settle(client.run('delay', { seconds: 5 }, { onProgress: (progress) => seen.push(progress) }));

    // Assess
    expect(server.calls.map((call) => call.method)).toEqual([
      'tools/list',
      'tools/call',
      'tasks/get',
      'tasks/get',
      'tasks/get',
      'tasks/result',
    ]);
    expect(server.calls[1]!.args).toMatchObject({ name: 'delay', arguments: { seconds: 5 }, task: {} });
    expect(gaps(server.timesOf('tasks/get'))).toEqual([2000, 4000]);
    expect(done).toMatchObject({ via: 'native', result: { echo: 'done' }, polls: 3 });
    expect(seen[1]).toMatchObject({ status: 'working', progress: { percent: null, message: 'half way' } });
  });

  it('long-polls natively with tasks/result, treating the server’s RequestTimeout as “still working”', async () => {
    // Arrange: the server holds each tasks/result 25 s, then says working with a 30 s hint
    const server = fakeMcpClient({
      native: true,
      longPollSeconds: 20,
      holdMs: 25_000,
      answers: [processing({ pollAfterMs: 30000 }), completed],
    });
    const client = new AsyncTaskClient(server.client, { random: lowest });

    // Act
    const done = await settle(client.run('delay', { seconds: 40 }));

    // Assess
    const results = server.calls.filter((call) => call.method === 'tasks/result');
    expect(results).toHaveLength(2);
    expect(results[0]!.args.timeout).toBe(35_000);
    expect(gaps(results.map((call) => call.at))).toEqual([30000]);
    expect(done).toMatchObject({ via: 'native', result: { echo: 'done' }, polls: 2 });
  });

  it('takes the handle path for what only initiate_background_task offers, and for bare references', async () => {
    // Arrange
    const server = fakeMcpClient({ native: true, answers: [completed] });
    const client = new AsyncTaskClient(server.client, { random: lowest, longPoll: false });

    // Act
    const started = await settle(client.start('delay', { seconds: 1 }, { idempotencyKey: 'k-1' }));
    const done = await settle(client.wait('ref-1'));

    // Assess
    expect(started).toMatchObject({ via: 'handle', ref: 'ref-1' });
    expect(server.calls.find((call) => call.method === 'initiate_background_task')?.args).toMatchObject({ idempotency_key: 'k-1' });
    expect(done).toMatchObject({ via: 'handle' });
    expect(server.calls.some((call) => call.method.startsWith('tasks/'))).toBe(false);
  });

  it('refuses via: native on a server that does not advertise tasks', async () => {
    // Arrange
    const server = fakeMcpClient({ answers: [completed] });
    const client = new AsyncTaskClient(server.client);

    // Act
    const error = await settle(client.start('delay', { seconds: 1 }, { via: 'native' }));

    // Assess
    expect(error).toBeInstanceOf(TaskRequestError);
    expect(error).toMatchObject({ code: 'unsupported' });
  });
});

describe('Function: toClientError (through wait)', () => {
  it('passes the server’s { code, message } from a JSON-RPC error through as a TaskRequestError', async () => {
    // Arrange
    const server = fakeMcpClient({
      native: true,
      answers: [
        {
          status: 'processing',
          fail: new McpError(McpErrorCode.InvalidParams, 'x', { code: 'not_found', message: 'task gone', retryable: false }),
        },
      ],
    });
    const client = new AsyncTaskClient(server.client, { longPoll: false });

    // Act
    const error = await settle(client.wait('ref-1', { via: 'native' }));

    // Assess
    expect(error).toBeInstanceOf(TaskRequestError);
    expect(error).toMatchObject({ code: 'not_found', message: 'task gone', ref: 'ref-1' });
  });
});
