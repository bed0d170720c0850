import type { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApiHandler, handler as deployedHandler, type ApiHandlerDeps } from '../../lambda/handlers/api.js';
import { delay } from '../../lambda/operations/delay.js';
import { loadConfig } from '../../lambda/shared/config.js';
import type { TaskService } from '../../lambda/tasks/task-service-types.js';
import { toApiGatewayEvent, type EventContext } from '../support/mcp-fetch.js';
import { MCP_POST_HEADERS, MCP_URL } from '../support/mcp-harness.js';

const config = loadConfig({ LOG_LEVEL: 'SILENT' });

function fakeService(overrides: Partial<TaskService> = {}): TaskService {
  return {
    operations: [delay],
    submit: vi.fn(),
    get: vi.fn(),
    waitForTerminal: vi.fn(),
    cancel: vi.fn(),
    list: vi.fn(async () => ({ tasks: [] })),
    pollAfterMs: () => null,
    ...overrides,
  };
}

function fakeLogger() {
  return { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn() } as unknown as Logger & { error: ReturnType<typeof vi.fn> };
}

async function callListTasks(
  deps: Partial<ApiHandlerDeps> & { service: TaskService },
  context: EventContext = {},
  headers: Record<string, string> = {},
) {
  const handler = createApiHandler({ config, ...deps });
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_tasks', arguments: {} } });
  const request = new Request(MCP_URL, { method: 'POST', body, headers: { ...MCP_POST_HEADERS, ...headers } });
  return handler(await toApiGatewayEvent(request, context));
}

describe('Function: createApiHandler', () => {
  it('scopes a loopback caller to `local` when no token map is configured', async () => {
    // Arrange
    const service = fakeService();

    // Act
    const result = await callListTasks({ service, loopbackPrincipal: true }, { sourceIp: '127.0.0.1' });

    // Assess
    expect(result.statusCode).toBe(200);
    expect(service.list).toHaveBeenCalledWith(expect.objectContaining({ owner: 'local' }));
  });

  it('refuses a non-loopback caller when only loopback callers are trusted', async () => {
    // Arrange
    const service = fakeService();

    // Act
    const result = await callListTasks({ service, loopbackPrincipal: true }, { sourceIp: '198.51.100.4' });

    // Assess
    expect(result.statusCode).toBe(401);
    expect(service.list).not.toHaveBeenCalled();
  });

  it('scopes calls to the JWT authorizer’s subject', async () => {
    // Arrange
    const service = fakeService();

    // Act
    const result = await callListTasks({ service }, { jwtClaims: { sub: 'user-42' }, sourceIp: '198.51.100.4' });

    // Assess
    expect(result.statusCode).toBe(200);
    expect(service.list).toHaveBeenCalledWith(expect.objectContaining({ owner: 'user-42' }));
  });

  it('scopes calls to `anonymous` when authentication is explicitly disabled', async () => {
    // Arrange
    const service = fakeService();

    // Act
    const result = await callListTasks(
      { service, config: loadConfig({ LOG_LEVEL: 'SILENT', AUTH_DISABLED: 'true' }) },
      { sourceIp: '198.51.100.4' },
    );

    // Assess
    expect(result.statusCode).toBe(200);
    expect(service.list).toHaveBeenCalledWith(expect.objectContaining({ owner: 'anonymous' }));
  });

  it('answers an unexpected service failure as internal_error without its details, and logs it', async () => {
    // Arrange
    const logger = fakeLogger();
    const service = fakeService({
      list: vi.fn(async () => Promise.reject(new Error('connect ECONNREFUSED 10.1.2.3:443 /var/task/secret.js'))),
    });

    // Act
    const result = await callListTasks({ service, logger }, { jwtClaims: { sub: 'user-42' } });

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.body).not.toMatch(/ECONNREFUSED|secret/);
    const reply = JSON.parse(result.body!) as { result: { isError: boolean; content: { text: string }[] } };
    expect(reply.result.isError).toBe(true);
    expect(JSON.parse(reply.result.content[0]!.text)).toEqual({
      error: { code: 'internal_error', message: expect.any(String), retryable: true },
    });
    expect(logger.error).toHaveBeenCalled();
  });

  it('answers an exception outside the MCP server with a bare 500 JSON-RPC internal error, and logs it', async () => {
    // Arrange
    const logger = fakeLogger();
    const service = fakeService();
    Object.defineProperty(service, 'operations', {
      get() {
        throw new Error('registry exploded at /var/task/index.js:12');
      },
    });

    // Act
    const result = await callListTasks({ service, logger }, { jwtClaims: { sub: 'user-42' } });

    // Assess
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body!)).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32603, message: 'Internal error', data: { code: 'internal_error' } },
    });
    expect(logger.error).toHaveBeenCalledWith('api request failed unexpectedly', expect.anything());
  });

  it('serves the configured path only', async () => {
    // Arrange
    const service = fakeService();
    const handler = createApiHandler({ config, service, path: '/v1/mcp', authTokens: new Map([['t', 'alice']]) });
    const request = (path: string) =>
      new Request(new URL(path, MCP_URL), {
        method: 'POST',
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
        headers: { ...MCP_POST_HEADERS, authorization: 'Bearer t' },
      });

    // Act
    const served = await handler(await toApiGatewayEvent(request('/v1/mcp/')));
    const other = await handler(await toApiGatewayEvent(request('/mcp')));

    // Assess
    expect(served.statusCode).toBe(200);
    expect(other.statusCode).toBe(404);
  });
});

describe('Function: handler (the deployed entry point)', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('answers 500 without details when its configuration is invalid, and logs why', async () => {
    // Arrange
    vi.stubEnv('TASK_TTL_SECONDS', 'forever');
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const request = new Request(MCP_URL, { method: 'POST', body: '{}', headers: { ...MCP_POST_HEADERS } });

    // Act
    const result = await deployedHandler(await toApiGatewayEvent(request));

    // Assess
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body!)).toMatchObject({ error: { code: -32603, message: 'Internal error' } });
    expect(result.body).not.toMatch(/TASK_TTL_SECONDS|forever/);
    expect(consoleError).toHaveBeenCalledWith(expect.stringMatching(/TASK_TTL_SECONDS/));
  });
});

/** One JSON-RPC message through a handler whose telemetry records tool response sizes. */
async function postMeasured(message: Record<string, unknown>) {
  const toolResponse = vi.fn();
  const handler = createApiHandler({ config, service: fakeService(), loopbackPrincipal: true, telemetry: { toolResponse } });
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
    const { result, toolResponse } = await postMeasured({ method: 'tools/call', params: { name: 'list_tasks', arguments: {} } });

    expect(result.statusCode).toBe(200);
    expect(toolResponse).toHaveBeenCalledTimes(1);
    expect(toolResponse).toHaveBeenCalledWith('list_tasks', Buffer.byteLength(result.body!, 'utf8'));
  });

  it('reports a tasks/* response by its method, and nothing for calls an agent does not read (tools/list)', async () => {
    const tasks = await postMeasured({ method: 'tasks/list', params: {} });
    expect(tasks.toolResponse).toHaveBeenCalledWith('tasks/list', Buffer.byteLength(tasks.result.body!, 'utf8'));

    const list = await postMeasured({ method: 'tools/list', params: {} });
    expect(list.result.statusCode).toBe(200);
    expect(list.toolResponse).not.toHaveBeenCalled();
  });
});
