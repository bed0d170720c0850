import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startLocalStack, StartupError, type LocalStack } from '../../local/stack.js';

const QUIET = { LOG_LEVEL: 'SILENT' };
const dirs: string[] = [];
const stacks: LocalStack[] = [];
const clients: Client[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const s of stacks.splice(0)) await s.stop(0);
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}, dataDir?: string): Promise<LocalStack> {
  const stack = await startLocalStack({ port: 0, dataDir, env: { ...QUIET, ...env }, sweepIntervalMs: 200 });
  stacks.push(stack);
  return stack;
}

async function connect(stack: LocalStack): Promise<Client> {
  const client = new Client({ name: 'local-stack-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(stack.url!)));
  clients.push(client);
  return client;
}

type TaskView = { task_ref: string; status: string; result: unknown; error: { code: string; message: string } | null; attempt: number };

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<TaskView> {
  const result = await client.callTool({ name, arguments: args });
  expect(result.isError ?? false).toBe(false);
  return result.structuredContent as TaskView;
}

/** Long-polls until terminal, as an agent following the tool's contract would. */
async function resolveUntilTerminal(client: Client, taskRef: string): Promise<TaskView> {
  for (let i = 0; i < 20; i++) {
    const view = await call(client, 'resolve_task_status', { task_ref: taskRef, wait_seconds: 5 });
    if (['completed', 'failed', 'cancelled'].includes(view.status)) return view;
  }
  throw new Error(`task ${taskRef} never finished`);
}

describe('local stack over HTTP', () => {
  it('runs a task from initiation to completion, and a failing one to failed', async () => {
    const client = await connect(await start());
    const ok = await call(client, 'initiate_background_task', { operation_type: 'delay', parameters: { seconds: 1, echo: 'done' } });
    expect(ok.status).toBe('pending');
    expect(await resolveUntilTerminal(client, ok.task_ref)).toMatchObject({ status: 'completed', result: { echo: 'done' } });

    const bad = await call(client, 'initiate_background_task', {
      operation_type: 'delay',
      parameters: { seconds: 0, fail: 'upstream broke' },
    });
    expect(await resolveUntilTerminal(client, bad.task_ref)).toMatchObject({
      status: 'failed',
      error: { code: 'operation_error', message: 'upstream broke' },
    });
  });

  it('times out a task no worker could start before its deadline (the sweeper fails it)', async () => {
    const client = await connect(await start({ MAX_CONCURRENCY: '1' }));
    // The only worker slot is busy for 4 s; the second task's 1 s deadline passes in the queue.
    const busy = await call(client, 'initiate_background_task', { operation_type: 'delay', parameters: { seconds: 4 } });
    const starved = await call(client, 'initiate_background_task', {
      operation_type: 'delay',
      parameters: { seconds: 0 },
      max_wait_seconds: 1,
    });
    expect(await resolveUntilTerminal(client, starved.task_ref)).toMatchObject({
      status: 'failed',
      error: { code: 'timeout' },
      attempt: 0,
    });
    expect(await resolveUntilTerminal(client, busy.task_ref)).toMatchObject({ status: 'completed' });
  });

  it('finds a task again after a restart on the same data directory, and finishes it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mcp-async-tasks-'));
    dirs.push(dataDir);
    const first = await start({}, dataDir);
    const client = await connect(first);
    const task = await call(client, 'initiate_background_task', { operation_type: 'delay', parameters: { seconds: 3, echo: 'survived' } });
    // Kill it mid-flight: once a worker holds it, before it can finish.
    for (let i = 0; i < 50 && (await call(client, 'resolve_task_status', { task_ref: task.task_ref })).status !== 'processing'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await call(client, 'resolve_task_status', { task_ref: task.task_ref })).status).toBe('processing');
    await clients.pop()!.close();
    await stacks.pop()!.stop(0); // the running task is abandoned mid-flight

    const second = await start({}, dataDir);
    const again = await connect(second);
    const final = await resolveUntilTerminal(again, task.task_ref);
    expect(final).toMatchObject({ status: 'completed', result: { echo: 'survived' } });
    expect(final.attempt).toBe(2);
  });

  it('refuses to start on a port already in use, naming it', async () => {
    const stack = await start();
    const port = Number(new URL(stack.url!).port);
    const error = await startLocalStack({ port, env: QUIET }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toMatch(new RegExp(`port ${port} .*already in use`));
  });

  it('refuses a bad setting with a message naming the variable', async () => {
    const error = await startLocalStack({ port: 0, env: { ...QUIET, MAX_CONCURRENCY: 'many' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as Error).message).toMatch(/^Invalid MAX_CONCURRENCY="many"/);
  });

  it('requires a token when MCP_AUTH_TOKENS is set, and keeps each principal to its own tasks', async () => {
    const stack = await start({ MCP_AUTH_TOKENS: 'ta=alice,tb=bob' });
    const as = async (token: string) => {
      const client = new Client({ name: 't', version: '1' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(stack.url!), { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
      );
      clients.push(client);
      return client;
    };
    const alice = await as('ta');
    const bob = await as('tb');
    const task = await call(alice, 'initiate_background_task', { operation_type: 'delay', parameters: { seconds: 0 } });
    const foreign = await bob.callTool({ name: 'resolve_task_status', arguments: { task_ref: task.task_ref } });
    expect(foreign.isError).toBe(true);
    expect(JSON.stringify(foreign.content)).toContain('not_found');
    await expect(as('wrong')).rejects.toThrow(/401|Unauthorized/);
  });
});
