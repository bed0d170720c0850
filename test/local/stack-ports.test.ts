import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack.js';

/** With HTTP_ALLOW_HOSTS=127.0.0.1, http_request reaches loopback services, but never the stack's own. */

let stack: LocalStack;
let other: Server;
let otherPort: number;

beforeAll(async () => {
  other = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('reached'));
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  otherPort = (other.address() as AddressInfo).port;
  stack = await startLocalStack({ port: 0, env: { HTTP_ALLOW_HOSTS: '127.0.0.1', LOG_LEVEL: 'SILENT' }, sweepIntervalMs: 60_000 });
});
afterAll(async () => {
  await stack.stop(0);
  await new Promise((resolve) => other.close(resolve));
});

async function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) {
  const { task } = await stack.core.service.submit({ owner: 'local', operation: 'http_request', params: { url, ...init } });
  return stack.core.service.waitForTerminal('local', task.taskId, 15_000);
}

describe("the local stack's own ports", () => {
  it('reaches an allowed loopback service', async () => {
    const done = await request(`http://127.0.0.1:${otherPort}/`);

    expect(done).toMatchObject({ status: 'completed', result: { status: 200, body: 'reached' } });
  });

  it.each(['dynamodb', 'sqs', 'mcp'] as const)('refuses the %s port although 127.0.0.1 is allowed', async (service) => {
    const url = service === 'mcp' ? stack.url! : stack.emulators.endpoints[service];
    const port = new URL(url).port;
    // What a caller would send to read every task in the table.
    const scan = { method: 'POST', headers: { 'x-amz-target': 'DynamoDB_20120810.Scan' }, body: { TableName: stack.emulators.tableName } };

    const done = await request(`${url}`, scan);

    expect(done).toMatchObject({
      status: 'failed',
      error: {
        code: 'operation_error',
        message: `Refused to connect to 127.0.0.1 port ${port}: a port of this server's own services`,
        retryable: false,
      },
    });
  });
});
