import { describe, expect, it, vi } from 'vitest';
import { createApiHandler } from '../../lambda/handlers/api.js';
import { delay } from '../../lambda/operations/delay.js';
import { loadConfig } from '../../lambda/shared/config.js';
import type { TaskService } from '../../lambda/tasks/task-service-types.js';
import { toApiGatewayEvent } from '../support/mcp-fetch.js';
import { MCP_POST_HEADERS, MCP_URL } from '../support/mcp-harness.js';

const config = loadConfig({ LOG_LEVEL: 'SILENT' });

const service = {
  operations: [delay],
  submit: vi.fn(),
  get: vi.fn(),
  waitForTerminal: vi.fn(),
  cancel: vi.fn(),
  list: vi.fn(async () => ({ tasks: [] })),
  pollAfterMs: () => null,
} as unknown as TaskService;

async function post(message: Record<string, unknown>) {
  const toolResponse = vi.fn();
  const handler = createApiHandler({ config, service, loopbackPrincipal: true, telemetry: { toolResponse } });
  const request = new Request(MCP_URL, {
    method: 'POST',
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, ...message }),
    headers: MCP_POST_HEADERS,
  });
  const result = await handler(await toApiGatewayEvent(request, { sourceIp: '127.0.0.1' }));
  return { result, toolResponse };
}

describe('Function: createApiHandler, ToolResponseBytes', () => {
  it('reports a tools/call response by its tool name and its body size in bytes', async () => {
    const { result, toolResponse } = await post({ method: 'tools/call', params: { name: 'list_tasks', arguments: {} } });

    expect(result.statusCode).toBe(200);
    expect(toolResponse).toHaveBeenCalledTimes(1);
    expect(toolResponse).toHaveBeenCalledWith('list_tasks', Buffer.byteLength(result.body!, 'utf8'));
  });

  it('reports a tasks/* response by its method, and nothing for calls an agent does not read (tools/list)', async () => {
    const tasks = await post({ method: 'tasks/list', params: {} });
    expect(tasks.toolResponse).toHaveBeenCalledWith('tasks/list', Buffer.byteLength(tasks.result.body!, 'utf8'));

    const list = await post({ method: 'tools/list', params: {} });
    expect(list.result.statusCode).toBe(200);
    expect(list.toolResponse).not.toHaveBeenCalled();
  });
});
