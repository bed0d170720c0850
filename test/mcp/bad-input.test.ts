import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCP_POST_HEADERS, startMcpHarness, structured, TOKENS, toolErrorOf, type McpHarness } from '../support/mcp-harness.js';

interface JsonRpcReply {
  jsonrpc: '2.0';
  id: string | number | null;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: Record<string, unknown> };
}

/** What a caller gets for any cursor this server did not hand out to it. */
const INVALID_CURSOR_MESSAGE =
  'cursor is not a next_cursor this server returned to you; list again without a cursor to start from your newest task';

/** A hand-made cursor: alice's page key shape with some fields replaced. */
function forgedCursor(fields: Record<string, unknown>): string {
  const key = { owner: 'alice', taskId: 'AAAAAAAAAAAAAAAAAAAAAA', createdAt: 1_700_000_000_000, ...fields };
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

describe('MCP endpoint: bad input', () => {
  let harness: McpHarness;
  let alice: Client;
  const auth = { authorization: `Bearer ${TOKENS.alice}` };
  const post = (body: string, headers: Record<string, string> = {}) =>
    harness.request({ body, headers: { ...MCP_POST_HEADERS, ...auth, ...headers } });
  const rpc = (method: string, params: Record<string, unknown> = {}, id: number | string = 1) =>
    JSON.stringify({ jsonrpc: '2.0', id, method, params });

  beforeAll(async () => {
    harness = await startMcpHarness();
    alice = await harness.connect(TOKENS.alice);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  describe('HTTP level', () => {
    it('answers malformed JSON with a JSON-RPC parse error and HTTP 400', async () => {
      // Act
      const response = await post('{"jsonrpc": "2.0", "id": 1, "method": ');

      // Assess
      expect(response.status).toBe(400);
      expect(((await response.json()) as JsonRpcReply).error).toMatchObject({ code: -32700 });
    });

    it.each([
      ['an object that is no JSON-RPC message', '{"hello": "world"}'],
      ['a string', '"tools/list"'],
      ['a number', '42'],
      ['null', 'null'],
      ['a request whose method is not a string', '{"jsonrpc": "2.0", "id": 1, "method": 7}'],
    ])('answers a body that is JSON but not a request object (%s) with -32600 Invalid Request and HTTP 400', async (_label, body) => {
      // Act
      const response = await post(body);

      // Assess
      expect(response.status).toBe(400);
      expect(((await response.json()) as JsonRpcReply).error).toMatchObject({
        code: -32600,
        message: expect.stringMatching(/^Invalid Request: /),
      });
    });

    it.each([
      ['an empty batch', '[]'],
      ['a batch of requests', JSON.stringify([JSON.parse(rpc('ping', {}, 'a')), JSON.parse(rpc('tools/list', {}, 'b'))])],
    ])('refuses %s with -32600 and HTTP 400: MCP has no batches since 2025-06-18', async (_label, body) => {
      // Act
      const response = await post(body);

      // Assess
      expect(response.status).toBe(400);
      expect(((await response.json()) as JsonRpcReply).error).toMatchObject({
        code: -32600,
        message: expect.stringMatching(/batches are not supported/),
      });
    });

    it('answers an unknown method with method-not-found', async () => {
      // Act
      const response = await post(rpc('tasks/explode'));

      // Assess
      expect(response.status).toBe(200);
      expect(((await response.json()) as JsonRpcReply).error?.code).toBe(-32601);
    });

    it('refuses a body over the configured size with 413 before reading it as JSON', async () => {
      // Arrange
      const limit = harness.config.api.maxBodyBytes;
      const body = `{"padding": "${'x'.repeat(limit)}"`; // oversized and malformed: the size is checked first

      // Act
      const response = await post(body);

      // Assess
      expect(response.status).toBe(413);
      const reply = (await response.json()) as JsonRpcReply;
      expect(reply.error?.message).toMatch(new RegExp(`limit is ${limit} bytes`));
      expect(reply.error?.data).toEqual({ code: 'payload_too_large' });
    });

    it('refuses a request without a token with 401 and a Bearer challenge', async () => {
      // Act
      const response = await harness.request({ body: rpc('tools/list'), headers: { ...MCP_POST_HEADERS } });

      // Assess
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(((await response.json()) as JsonRpcReply).error).toMatchObject({ data: { code: 'unauthorized' } });
    });

    it('refuses an unknown token with 401 and an invalid_token challenge', async () => {
      // Act
      const response = await post(rpc('tools/list'), { authorization: 'Bearer not-a-token' });

      // Assess
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    });

    it.each(['GET', 'DELETE', 'PUT'])('answers %s with 405 and Allow: POST', async (method) => {
      // Act
      const response = await harness.request({ method, headers: { ...auth, accept: 'text/event-stream' } });

      // Assess
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    });

    it('answers other paths with 404', async () => {
      // Act
      const response = await harness.request({ path: '/admin', body: rpc('tools/list'), headers: { ...MCP_POST_HEADERS, ...auth } });

      // Assess
      expect(response.status).toBe(404);
      expect(((await response.json()) as JsonRpcReply).error?.message).toMatch(/POST \/mcp/);
    });

    it('refuses an Origin from another site with 403 (DNS rebinding)', async () => {
      // Act
      const response = await post(rpc('tools/list'), { origin: 'https://evil.example' });

      // Assess
      expect(response.status).toBe(403);
      expect(((await response.json()) as JsonRpcReply).error?.message).toMatch(/origin "https:\/\/evil.example"/);
    });

    it('refuses a Host that is not served here with 403 (DNS rebinding)', async () => {
      // Act
      const response = await post(rpc('tools/list'), { host: 'evil.example:3000' });

      // Assess
      expect(response.status).toBe(403);
      expect(((await response.json()) as JsonRpcReply).error?.message).toMatch(/Host header "evil.example:3000"/);
    });

    it('accepts a same-origin Origin header', async () => {
      // Act
      const response = await post(rpc('tools/list'), { origin: 'http://127.0.0.1:3000' });

      // Assess
      expect(response.status).toBe(200);
    });

    it('answers a client that does not accept JSON and SSE with 406, and a non-JSON body with 415', async () => {
      // Act
      const notAcceptable = await post(rpc('tools/list'), { accept: 'text/html' });
      const unsupported = await post(rpc('tools/list'), { 'content-type': 'text/plain' });

      // Assess
      expect(notAcceptable.status).toBe(406);
      expect(unsupported.status).toBe(415);
    });
  });

  describe('malformed request params', () => {
    it.each([
      ['tools/call', undefined, 'params'],
      ['tools/call', {}, 'params.name'],
      ['tools/call', { name: 42 }, 'params.name'],
      ['tools/call', { name: 'list_tasks', arguments: [1, 2] }, 'params.arguments'],
      ['tools/call', { name: 'list_tasks', arguments: 'status=completed' }, 'params.arguments'],
      ['tools/call', { name: 'delay', arguments: { seconds: 0 }, task: 'yes' }, 'params.task'],
      ['tools/list', { cursor: 42 }, 'params.cursor'],
      ['tasks/get', {}, 'params.taskId'],
      ['tasks/get', { taskId: 42 }, 'params.taskId'],
      ['tasks/result', {}, 'params.taskId'],
      ['tasks/cancel', { taskId: null }, 'params.taskId'],
      ['tasks/list', { cursor: 42 }, 'params.cursor'],
      ['initialize', { protocolVersion: 42 }, 'params.protocolVersion'],
    ])('answers %s with params %j with -32602 Invalid params naming %s', async (method, params, field) => {
      // Act
      const response = await post(JSON.stringify({ jsonrpc: '2.0', id: 7, method, ...(params !== undefined && { params }) }));

      // Assess
      expect(response.status).toBe(200);
      const reply = (await response.json()) as JsonRpcReply;
      expect(reply.id).toBe(7);
      expect(reply.error?.code).toBe(-32602);
      expect(reply.error?.message).toMatch(new RegExp(`^Invalid params: ${field.replace('.', '\\.')}: `));
    });

    it('answers a method this server does not serve with method-not-found, however malformed its params', async () => {
      // Act
      const response = await post(rpc('resources/read', { uri: 42 }));

      // Assess
      expect(((await response.json()) as JsonRpcReply).error?.code).toBe(-32601);
    });
  });

  describe('tool calls', () => {
    it('answers an unknown tool with an invalid-params protocol error', async () => {
      // Act
      const outcome = alice.callTool({ name: 'launch_rockets', arguments: {} });

      // Assess
      await expect(outcome).rejects.toSatisfy(
        (error: unknown) => error instanceof McpError && error.code === ErrorCode.InvalidParams && /launch_rockets/.test(error.message),
      );
    });

    it('answers arguments of the wrong type with validation_error naming the field', async () => {
      // Act
      const result = await alice.callTool({ name: 'resolve_task_status', arguments: { task_ref: 42, wait_seconds: 'ten' } });

      // Assess
      const error = toolErrorOf(result);
      expect(error.code).toBe('validation_error');
      expect(error.message).toMatch(/task_ref/);
      expect(error.message).toMatch(/wait_seconds/);
    });

    it('answers a wait over the long-poll limit with validation_error naming wait_seconds', async () => {
      // Act
      const result = await alice.callTool({
        name: 'initiate_background_task',
        arguments: { operation_type: 'delay', parameters: { seconds: 0 }, wait_seconds: harness.config.polling.maxWaitSeconds + 1 },
      });

      // Assess
      expect(toolErrorOf(result)).toMatchObject({ code: 'validation_error', message: expect.stringMatching(/^wait_seconds: /) });
    });

    it('answers an unregistered operation_type with unknown_operation listing the registered ones', async () => {
      // Act
      const result = await alice.callTool({
        name: 'initiate_background_task',
        arguments: { operation_type: 'mine_bitcoin', parameters: {} },
      });

      // Assess
      expect(toolErrorOf(result)).toMatchObject({ code: 'unknown_operation', message: expect.stringMatching(/delay/) });
    });

    it('answers parameters failing the operation’s schema with validation_error naming parameters.<field>', async () => {
      // Act
      const tooLong = await alice.callTool({
        name: 'initiate_background_task',
        arguments: { operation_type: 'delay', parameters: { seconds: 5000 } },
      });
      const wrongType = await alice.callTool({
        name: 'initiate_background_task',
        arguments: { operation_type: 'delay', parameters: { seconds: 'soon' } },
      });
      const notAnObject = await alice.callTool({
        name: 'initiate_background_task',
        arguments: { operation_type: 'delay', parameters: [1, 2] },
      });

      // Assess
      expect(toolErrorOf(tooLong)).toMatchObject({ code: 'validation_error', message: expect.stringMatching(/^parameters\.seconds: /) });
      expect(toolErrorOf(wrongType)).toMatchObject({ code: 'validation_error', message: expect.stringMatching(/^parameters\.seconds: /) });
      expect(toolErrorOf(notAnObject)).toMatchObject({ code: 'validation_error', message: expect.stringMatching(/^parameters: /) });
    });

    it('answers a plain call of an operation’s tool with invalid arguments with validation_error naming the field', async () => {
      // Act
      const result = await alice.callTool({ name: 'delay', arguments: { seconds: -1 } });

      // Assess
      expect(toolErrorOf(result)).toMatchObject({ code: 'validation_error', message: expect.stringMatching(/^seconds: /) });
    });

    it('answers a foreign task_ref with not_found', async () => {
      // Arrange
      const bob = await harness.connect(TOKENS.bob);
      const { task_ref } = structured<{ task_ref: string }>(
        await bob.callTool({ name: 'initiate_background_task', arguments: { operation_type: 'delay', parameters: { seconds: 0 } } }),
      );

      // Act
      const result = await alice.callTool({ name: 'resolve_task_status', arguments: { task_ref } });

      // Assess
      expect(toolErrorOf(result)).toMatchObject({ code: 'not_found', retryable: false });
    });

    it.each([
      ['a string that is no reference', 'not a ref!'],
      ['a path', '../../etc/passwd'],
      ['a reference one character short', 'AAAAAAAAAAAAAAAAAAAAA'],
    ])('answers a malformed task_ref (%s) with not_found, like an unknown one', async (_label, taskRef) => {
      // Act
      const resolved = await alice.callTool({ name: 'resolve_task_status', arguments: { task_ref: taskRef } });
      const cancelled = await alice.callTool({ name: 'cancel_task', arguments: { task_ref: taskRef } });

      // Assess
      expect(toolErrorOf(resolved).code).toBe('not_found');
      expect(toolErrorOf(cancelled).code).toBe('not_found');
    });

    it('answers an empty or oversized task_ref with validation_error', async () => {
      // Act
      const empty = await alice.callTool({ name: 'resolve_task_status', arguments: { task_ref: '' } });
      const huge = await alice.callTool({ name: 'resolve_task_status', arguments: { task_ref: 'x'.repeat(300) } });

      // Assess
      expect(toolErrorOf(empty)).toMatchObject({ code: 'validation_error', message: expect.stringMatching(/^task_ref: /) });
      expect(toolErrorOf(huge)).toMatchObject({ code: 'validation_error', message: expect.stringMatching(/^task_ref: /) });
    });

    it.each([
      ['garbage', 'bm9wZQ'],
      ['an empty taskId', forgedCursor({ taskId: '' })],
      ['an oversized taskId', forgedCursor({ taskId: 'A'.repeat(2000) })],
      ['a taskId that is no task id', forgedCursor({ taskId: 'not a task id!' })],
      ['a fractional createdAt', forgedCursor({ createdAt: 1.5 })],
      ['a negative createdAt', forgedCursor({ createdAt: -1 })],
      ['a createdAt that is a string', forgedCursor({ createdAt: '1' })],
      ['an extra key', forgedCursor({ status: 'completed' })],
      ['another owner', forgedCursor({ owner: 'bob' })],
      ['a JSON array', Buffer.from('[1,2,3]').toString('base64url')],
    ])('answers a list cursor with %s with invalid_cursor', async (_label, cursor) => {
      // Act
      const result = await alice.callTool({ name: 'list_tasks', arguments: { cursor } });

      // Assess
      expect(toolErrorOf(result)).toEqual({ code: 'invalid_cursor', message: INVALID_CURSOR_MESSAGE, retryable: false });
    });

    it('answers an idempotency_key with forbidden characters with validation_error', async () => {
      // Act
      const result = await alice.callTool({
        name: 'initiate_background_task',
        arguments: { operation_type: 'delay', parameters: { seconds: 0 }, idempotency_key: 'spaces are not allowed' },
      });

      // Assess
      expect(toolErrorOf(result)).toMatchObject({ code: 'validation_error', message: expect.stringMatching(/idempotency_key/) });
    });
  });

  describe('native tasks/list', () => {
    it.each([
      ['garbage', 'bm9wZQ'],
      ['an empty taskId', forgedCursor({ taskId: '' })],
      ['a fractional createdAt', forgedCursor({ createdAt: 1.5 })],
      ['another owner', forgedCursor({ owner: 'bob' })],
    ])('answers a cursor with %s with -32602 carrying invalid_cursor', async (_label, cursor) => {
      // Act
      const response = await post(rpc('tasks/list', { cursor }));

      // Assess
      expect(response.status).toBe(200);
      expect(((await response.json()) as JsonRpcReply).error).toEqual({
        code: -32602,
        message: expect.stringContaining(INVALID_CURSOR_MESSAGE),
        data: { code: 'invalid_cursor', message: INVALID_CURSOR_MESSAGE, retryable: false },
      });
    });
  });
});
