import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { startLocalStack } from '../../local/stack.js';
import { startEntry, until, type Run } from './spawn-entry.js';

const dataDir = mkdtempSync(join(tmpdir(), 'mcp-async-tasks-stdio-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** JSON-RPC over the child's stdin/stdout by hand: the SDK's client would signal the child on close. */
function rpc(run: Run) {
  let nextId = 1;
  return async (method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const id = nextId++;
    run.child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    const reply = () => run.output.stdout.split('\n').find((line) => line.includes(`"id":${id},`) || line.endsWith(`"id":${id}}`));
    await until(() => reply() !== undefined, `the reply to ${method}`);
    return JSON.parse(reply()!).result;
  };
}

describe('npm start -- --stdio', () => {
  it('stops when its input ends: the running task finishes in the grace period, exit 0, the data directory is free', async () => {
    const run = startEntry(['--stdio', '--data-dir', dataDir], { stdin: 'pipe' });
    onTestFinished(() => void run.child.kill('SIGKILL')); // should it fail to exit
    const call = rpc(run);
    await call('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'stdio-end-test', version: '1' } });
    run.child.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    const tool = (name: string, args: Record<string, unknown>) =>
      call('tools/call', { name, arguments: args }).then((result) => result.structuredContent as { task_ref: string; status: string });
    const task = await tool('initiate_background_task', {
      operation_type: 'delay',
      parameters: { seconds: 2, echo: 'finished in the grace period' },
    });
    for (let i = 0; i < 50 && (await tool('resolve_task_status', { task_ref: task.task_ref })).status !== 'processing'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const closedAt = Date.now();
    run.child.stdin!.end(); // what a desktop host does when it is done with the server
    expect(await Promise.race([run.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 8_000))])).toBe(0);
    expect(Date.now() - closedAt).toBeGreaterThan(1_000); // it waited for the task, not just quit

    const again = await startLocalStack({ port: 0, dataDir, env: { LOG_LEVEL: 'SILENT' } });
    try {
      const client = new Client({ name: 'stdio-end-test', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(again.url!)));
      const view = await client.callTool({ name: 'resolve_task_status', arguments: { task_ref: task.task_ref } });
      expect(view.structuredContent).toMatchObject({ status: 'completed', result: { echo: 'finished in the grace period' } });
      await client.close();
    } finally {
      await again.stop(0);
    }
  });
});
