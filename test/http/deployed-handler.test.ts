import { afterEach, describe, expect, it, vi } from 'vitest';
import { MCP_POST_HEADERS, MCP_URL } from '../support/mcp-harness.js';
import { toApiGatewayEvent } from '../support/mcp-fetch.js';

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'deployed-test', version: '1' } },
});

afterEach(() => vi.unstubAllEnvs());

describe('api Lambda entry point (handler)', () => {
  it('answers 500 without details while a setting is bad, then serves once it is fixed', async () => {
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('TASK_TABLE', 'tasks-table');
    vi.stubEnv('TASK_QUEUE_URL', 'https://sqs.us-east-1.amazonaws.com/123456789012/work');
    vi.stubEnv('LOG_LEVEL', 'SILENT');
    vi.stubEnv('MAX_CONCURRENCY', 'lots');
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { handler } = await import('../../lambda/handlers/api.js');
    const event = () =>
      toApiGatewayEvent(new Request(MCP_URL, { method: 'POST', headers: MCP_POST_HEADERS, body: initialize }), {
        jwtClaims: { sub: 'alice' },
      });

    const refused = await handler(await event());
    expect(refused.statusCode).toBe(500);
    expect(JSON.parse(refused.body!)).toMatchObject({ error: { code: -32603, message: 'Internal error' } });
    expect(refused.body).not.toContain('MAX_CONCURRENCY'); // the reason goes to the log only
    expect(String(errors.mock.calls[0]?.[0])).toContain('Invalid MAX_CONCURRENCY');

    vi.stubEnv('MAX_CONCURRENCY', '20');
    const served = await handler(await event()); // initialize touches neither table nor queue
    expect(served.statusCode).toBe(200);
    expect(JSON.parse(served.body!)).toMatchObject({
      result: { serverInfo: { name: 'mcp-async-tasks' }, capabilities: { tools: {}, tasks: {} } },
    });
  });
});
