import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentTools } from '../../client/agent-tools.js';
import { AsyncTaskClient } from '../../client/async-task-client.js';
import {
  ConnectionError,
  TaskCancelledError,
  TaskFailedError,
  TaskRequestError,
  TaskTimedOutError,
  WaitExhaustedError,
} from '../../client/errors.js';
import type { TaskPath } from '../../client/task-snapshot.js';
import { startLocalStack, type LocalStack } from '../../local/stack.js';
import { closedPort } from '../support/ports.js';

const QUIET = { LOG_LEVEL: 'SILENT' };
const PATHS: TaskPath[] = ['native', 'handle'];

/** A fetch that counts the JSON-RPC methods it carries. */
function countingFetch() {
  const methods: string[] = [];
  const fetcher = async (url: string | URL, init?: RequestInit) => {
    if (typeof init?.body === 'string') methods.push((JSON.parse(init.body) as { method?: string }).method ?? 'response');
    return fetch(url, init);
  };
  return { methods, fetch: fetcher };
}

// One local stack (and one client) for the whole file.
let stack: LocalStack;
let client: AsyncTaskClient;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0, env: QUIET, sweepIntervalMs: 200 });
  client = await AsyncTaskClient.connect(stack.url!);
});

afterAll(async () => {
  await client?.close();
  await stack?.stop(0);
});

describe('Class: AsyncTaskClient against the local stack over HTTP', () => {
  it.each(PATHS)('runs a completing task to its result (%s path)', async (via) => {
    // Act
    const done = await client.run('delay', { seconds: 1, echo: { via } }, { via });

    // Assess
    expect(done).toMatchObject({ via, result: { echo: { via } } });
    expect((await client.status(done.ref)).status).toBe('completed');
  });

  it('takes the native path by default on a server that advertises MCP tasks', async () => {
    // Act
    const handle = await client.start('delay', { seconds: 0 });
    const done = await client.wait(handle);

    // Assess
    expect(handle.via).toBe('native');
    expect(done).toMatchObject({ via: 'native', result: { echo: null } });
  });

  it.each(PATHS)('throws TaskFailedError with ref, code and message for a failing task (%s path)', async (via) => {
    // Act
    const error = await client.run('delay', { seconds: 0, fail: 'upstream broke' }, { via }).catch((e: Error) => e);

    // Assess
    expect(error).toBeInstanceOf(TaskFailedError);
    const failed = error as TaskFailedError;
    expect(failed).toMatchObject({ code: 'operation_error', reason: 'upstream broke' });
    expect(failed.ref).toEqual(expect.any(String));
    expect(await client.status(failed.ref!)).toMatchObject({
      status: 'failed',
      error: { code: 'operation_error', message: 'upstream broke' },
    });
  });

  it.each(PATHS)('throws TaskCancelledError when the task is cancelled while being waited for (%s path)', async (via) => {
    // Arrange
    const handle = await client.start('delay', { seconds: 60 }, { via });
    const waiting = client.wait(handle).catch((e: Error) => e);

    // Act
    const cancelled = await client.cancel(handle);
    const error = await waiting;

    // Assess
    expect(cancelled).toMatchObject({ ref: handle.ref, status: 'cancelled' });
    expect(error).toBeInstanceOf(TaskCancelledError);
    expect(error).toMatchObject({ ref: handle.ref, code: 'cancelled', reason: 'cancelled by the caller' });
    expect((await client.cancel(handle)).status).toBe('cancelled');
  });

  it('throws TaskTimedOutError for a task that runs past its max_wait_seconds', async () => {
    // Act
    const error = await client.run('delay', { seconds: 30 }, { maxWaitSeconds: 1 }).catch((e: Error) => e);

    // Assess
    expect(error).toBeInstanceOf(TaskTimedOutError);
    expect(error).toMatchObject({ code: 'timeout', ref: expect.any(String) });
  });

  it('keeps the ref when the polls run out, and wait(ref) resumes the same task', async () => {
    // Arrange
    const handle = await client.start('delay', { seconds: 2, echo: 'resumed' }, { via: 'handle' });

    // Act
    const exhausted = await client.wait(handle.ref, { maxAttempts: 1, longPoll: false }).catch((e: Error) => e);
    const resumed = await client.wait((exhausted as WaitExhaustedError).ref!);

    // Assess
    expect(exhausted).toBeInstanceOf(WaitExhaustedError);
    expect(exhausted).toMatchObject({ ref: handle.ref, polls: 1 });
    expect(resumed).toMatchObject({ ref: handle.ref, result: { echo: 'resumed' } });
  });

  it('returns the same task for a repeated idempotency key', async () => {
    // Act
    const first = await client.start('delay', { seconds: 0 }, { idempotencyKey: 'client-test-1' });
    const second = await client.start('delay', { seconds: 0 }, { idempotencyKey: 'client-test-1' });

    // Assess
    expect(first.via).toBe('handle');
    expect(second.ref).toBe(first.ref);
  });

  it.each(PATHS)('refuses bad input with a TaskRequestError carrying the server’s code (%s path)', async (via) => {
    // Act
    const unknown = await client.start('no_such_operation', {}, { via: 'handle' }).catch((e: Error) => e);
    const invalid = await client.start('delay', { seconds: -1 }, { via }).catch((e: Error) => e);

    // Assess
    expect(unknown).toBeInstanceOf(TaskRequestError);
    expect(unknown).toMatchObject({ code: 'unknown_operation' });
    expect(invalid).toBeInstanceOf(TaskRequestError);
    expect(invalid).toMatchObject({ code: 'validation_error' });
  });

  it('lists the caller’s tasks by status', async () => {
    // Arrange
    const done = await client.run('delay', { seconds: 0 }, { via: 'handle' });

    // Act
    const page = await client.list({ status: 'completed', limit: 100 });

    // Assess
    expect(page.tasks.map((task) => task.task_ref)).toContain(done.ref);
    expect(page.tasks.every((task) => task.status === 'completed')).toBe(true);
  });

  it('finishes a short task in a single request when the start long-polls (handle path)', async () => {
    // Arrange
    const counter = countingFetch();
    const counted = await AsyncTaskClient.connect(stack.url!, { fetch: counter.fetch, via: 'handle' });
    await counted.operations();
    counter.methods.length = 0;

    // Act
    const done = await counted.run('delay', { seconds: 1, echo: 'one call' });
    await counted.close();

    // Assess
    expect(done).toMatchObject({ polls: 0, result: { echo: 'one call' } });
    expect(counter.methods).toEqual(['tools/call']);
  });
});

describe('Function: createAgentTools against the local stack', () => {
  it('turns each operation into a tool that starts and waits in one call', async () => {
    // Act
    const tools = await createAgentTools(client);
    const delay = tools.find((tool) => tool.name === 'delay')!;
    const result = await delay.invoke({ seconds: 1, echo: 'from an agent' });

    // Assess
    expect(tools.map((tool) => tool.name).sort()).toEqual(['delay', 'http_request']);
    expect(delay.inputSchema).toMatchObject({ type: 'object', properties: { seconds: { type: 'number' } }, required: ['seconds'] });
    expect(delay.description).toMatch(/^Waits `seconds`/);
    expect(delay.description).not.toMatch(/task-augmented|resolve_task_status/);
    expect(result).toEqual({ echo: 'from an agent' });
  });

  it('makes a failing task and bad arguments throw, with prefix and only honoured', async () => {
    // Arrange
    const [delay] = await createAgentTools(client, { only: ['delay'], prefix: 'tasks_' });

    // Act
    const failed = await delay!.invoke({ seconds: 0, fail: 'nope' }).catch((e: Error) => e);
    const invalid = await delay!.invoke({ seconds: 'soon' }).catch((e: Error) => e);

    // Assess
    expect(delay!.name).toBe('tasks_delay');
    expect(failed).toBeInstanceOf(TaskFailedError);
    expect(invalid).toBeInstanceOf(TaskRequestError);
    expect(invalid).toMatchObject({ code: 'validation_error' });
  });
});

describe('Function: AsyncTaskClient.connect failures', () => {
  let authStack: LocalStack; // a stack of its own that requires a token

  beforeAll(async () => {
    authStack = await startLocalStack({ port: 0, env: { ...QUIET, MCP_AUTH_TOKENS: 'tok-alice=alice' }, sweepIntervalMs: 200 });
  });

  afterAll(async () => {
    await authStack?.stop(0);
  });

  it('reports a missing or wrong token as ConnectionError unauthorized, and works with the right one', async () => {
    // Act
    const missing = await AsyncTaskClient.connect(authStack.url!).catch((e: Error) => e);
    const wrong = await AsyncTaskClient.connect(authStack.url!, { token: 'nope' }).catch((e: Error) => e);
    const right = await AsyncTaskClient.connect(authStack.url!, { token: 'tok-alice' });
    const done = await right.run('delay', { seconds: 0, echo: 'alice' });
    await right.close();

    // Assess
    expect(missing).toBeInstanceOf(ConnectionError);
    expect(missing).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(wrong).toMatchObject({ code: 'unauthorized', status: 401 });
    expect(done.result).toEqual({ echo: 'alice' });
  });

  it('reports a server that is not there as ConnectionError unreachable', async () => {
    // Act
    const error = await AsyncTaskClient.connect(`http://127.0.0.1:${await closedPort()}/mcp`).catch((e: Error) => e);

    // Assess
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'unreachable', retryable: true });
  });
});
