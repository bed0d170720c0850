import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let client: Client;
beforeAll(async () => {
  client = new Client({ name: 'stdio-test', version: '1.0.0' });
  // The real entry point, as a desktop host would start it.
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', 'bin/local.ts', '--stdio', '--in-memory'],
      env: { ...(process.env as Record<string, string>), LOG_LEVEL: 'WARN' },
      stderr: 'ignore',
    }),
  );
}, 30_000);
afterAll(() => client?.close());

describe('npm start -- --stdio', () => {
  it('serves the same tools over stdio with the workers running in the same process', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['initiate_background_task', 'resolve_task_status', 'delay']));
    const started = await client.callTool({
      name: 'initiate_background_task',
      arguments: { operation_type: 'delay', parameters: { seconds: 0, echo: 'via stdio' }, wait_seconds: 10 },
    });
    expect(started.structuredContent).toMatchObject({ status: 'completed', result: { echo: 'via stdio' } });
  });
});
