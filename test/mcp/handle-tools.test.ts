import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpHarness, structured, TOKENS, toolErrorOf, type McpHarness } from '../support/mcp-harness.js';

interface Handle {
  task_ref: string;
  status: string;
  created_at: string;
  poll_after_ms: number | null;
  result?: unknown;
  error?: { code: string; message: string; retryable: boolean } | null;
}
interface Status extends Omit<Handle, 'result' | 'error'> {
  operation_type: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  attempt: number;
  progress: { percent: number; message?: string } | null;
  result: unknown;
  error: { code: string; message: string; retryable: boolean } | null;
  expires_at: string;
}

describe('MCP endpoint: the async-handle tools', () => {
  let harness: McpHarness;
  let alice: Client;

  beforeAll(async () => {
    harness = await startMcpHarness();
    harness.startWorker();
    alice = await harness.connect(TOKENS.alice);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const initiate = async (client: Client, args: Record<string, unknown>) =>
    structured<Handle>(await client.callTool({ name: 'initiate_background_task', arguments: args }));
  const resolve = async (client: Client, taskRef: string, waitSeconds?: number) =>
    structured<Status>(await client.callTool({ name: 'resolve_task_status', arguments: { task_ref: taskRef, wait_seconds: waitSeconds } }));

  it('initializes with the server name and the tools and tasks capabilities', () => {
    // Assess
    expect(alice.getServerVersion()).toEqual({ name: harness.config.server.name, version: harness.config.server.version });
    expect(alice.getServerCapabilities()).toMatchObject({ tools: {}, tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } });
    expect(alice.getInstructions()).toContain('initiate_background_task');
  });

  it('lists the four handle tools and one typed tool per operation, each with input and output schemas', async () => {
    // Act
    const { tools } = await alice.listTools();

    // Assess
    const names = tools.map((tool) => tool.name).sort();
    const operationNames = harness.core.operations.map((op) => op.name);
    expect(names).toEqual(['cancel_task', 'initiate_background_task', 'list_tasks', 'resolve_task_status', ...operationNames].sort());
    for (const tool of tools) {
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
    }
    const initiateTool = tools.find((tool) => tool.name === 'initiate_background_task')!;
    expect(initiateTool.inputSchema.properties?.operation_type).toMatchObject({ enum: expect.arrayContaining(operationNames) });
    expect(initiateTool.inputSchema.required).toEqual(['operation_type']);
    expect(initiateTool.annotations).toMatchObject({ readOnlyHint: false, openWorldHint: true });
    expect(tools.find((tool) => tool.name === 'resolve_task_status')!.annotations).toMatchObject({ readOnlyHint: true });
    expect(tools.find((tool) => tool.name === 'list_tasks')!.annotations).toMatchObject({ readOnlyHint: true });
    expect(tools.find((tool) => tool.name === 'cancel_task')!.annotations).toMatchObject({ idempotentHint: true });
    const delayTool = tools.find((tool) => tool.name === 'delay')!;
    expect(delayTool.execution).toEqual({ taskSupport: 'optional' });
    expect(delayTool.inputSchema.properties).toHaveProperty('seconds');
  });

  it('initiates a task, returns its handle at once, and resolves it to completed with the result', async () => {
    // Act
    const handle = await initiate(alice, { operation_type: 'delay', parameters: { seconds: 0, echo: { hello: 'world' } } });
    let status = await resolve(alice, handle.task_ref);
    while (status.status !== 'completed' && status.status !== 'failed') {
      await new Promise((r) => setTimeout(r, Math.min(status.poll_after_ms ?? 100, 100)));
      status = await resolve(alice, handle.task_ref);
    }

    // Assess
    expect(handle).toMatchObject({ status: 'pending', poll_after_ms: harness.config.polling.initialIntervalMs });
    expect(handle.task_ref).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(handle).not.toHaveProperty('result');
    expect(Number.isNaN(Date.parse(handle.created_at))).toBe(false);
    expect(status).toMatchObject({
      task_ref: handle.task_ref,
      status: 'completed',
      operation_type: 'delay',
      attempt: 1,
      result: { echo: { hello: 'world' } },
      error: null,
      poll_after_ms: null,
    });
    expect(status.started_at).not.toBeNull();
    expect(status.finished_at).not.toBeNull();
    expect(Date.parse(status.expires_at)).toBeGreaterThan(Date.parse(status.created_at));
  });

  it('returns the result in the same call when the task finishes within wait_seconds (fast path)', async () => {
    // Act
    const handle = await initiate(alice, { operation_type: 'delay', parameters: { seconds: 0, echo: 42 }, wait_seconds: 3 });

    // Assess
    expect(handle).toMatchObject({ status: 'completed', result: { echo: 42 }, error: null, poll_after_ms: null });
  });

  it('reports a failed operation as a final status with its error, not as a tool error', async () => {
    // Act
    const handle = await initiate(alice, {
      operation_type: 'delay',
      parameters: { seconds: 0, fail: 'upstream said no' },
      wait_seconds: 3,
    });
    const status = await resolve(alice, handle.task_ref);

    // Assess
    expect(handle).toMatchObject({ status: 'failed', result: null, error: { code: 'operation_error', message: 'upstream said no' } });
    expect(status).toMatchObject({
      status: 'failed',
      result: null,
      error: { code: 'operation_error', message: 'upstream said no', retryable: false },
    });
  });

  it('long-polls resolve_task_status until the task is final', async () => {
    // Arrange
    const handle = await initiate(alice, { operation_type: 'delay', parameters: { seconds: 1, echo: 'late' } });

    // Act
    const status = await resolve(alice, handle.task_ref, 3);

    // Assess
    expect(status).toMatchObject({ status: 'completed', result: { echo: 'late' } });
  });

  it('long-polls until the wait is over and answers with the live status and a poll hint', async () => {
    // Arrange
    const handle = await initiate(alice, { operation_type: 'delay', parameters: { seconds: 600 } });

    // Act
    const status = await resolve(alice, handle.task_ref, 1);
    await alice.callTool({ name: 'cancel_task', arguments: { task_ref: handle.task_ref } });

    // Assess
    expect(['pending', 'processing']).toContain(status.status);
    expect(status.result).toBeNull();
    expect(status.poll_after_ms).toBeGreaterThan(0);
  });

  it('cancels a running task, and says so without change when cancelling again', async () => {
    // Arrange
    const handle = await initiate(alice, { operation_type: 'delay', parameters: { seconds: 600 } });

    // Act
    const first = structured<{ task_ref: string; status: string; message: string }>(
      await alice.callTool({ name: 'cancel_task', arguments: { task_ref: handle.task_ref } }),
    );
    const second = structured<{ task_ref: string; status: string; message: string }>(
      await alice.callTool({ name: 'cancel_task', arguments: { task_ref: handle.task_ref } }),
    );
    const status = await resolve(alice, handle.task_ref);

    // Assess
    expect(first).toMatchObject({ task_ref: handle.task_ref, status: 'cancelled' });
    expect(second.status).toBe('cancelled');
    expect(second.message).toMatch(/already cancelled/);
    expect(status).toMatchObject({ status: 'cancelled', poll_after_ms: null });
  });

  it('leaves a completed task unchanged when asked to cancel it', async () => {
    // Arrange
    const handle = await initiate(alice, { operation_type: 'delay', parameters: { seconds: 0 }, wait_seconds: 3 });

    // Act
    const cancel = structured<{ status: string; message: string }>(
      await alice.callTool({ name: 'cancel_task', arguments: { task_ref: handle.task_ref } }),
    );

    // Assess
    expect(handle.status).toBe('completed');
    expect(cancel).toMatchObject({ status: 'completed', message: expect.stringMatching(/already completed/) });
  });

  it('returns the same task for the same idempotency key and parameters', async () => {
    // Act
    const args = { operation_type: 'delay', parameters: { seconds: 0, echo: 'once' }, idempotency_key: 'order-1234' };
    const first = await initiate(alice, args);
    const second = await initiate(alice, args);

    // Assess
    expect(second.task_ref).toBe(first.task_ref);
  });

  it('refuses a reused idempotency key with different parameters as idempotency_conflict', async () => {
    // Arrange
    await initiate(alice, { operation_type: 'delay', parameters: { seconds: 0, echo: 'a' }, idempotency_key: 'order-5678' });

    // Act
    const result = await alice.callTool({
      name: 'initiate_background_task',
      arguments: { operation_type: 'delay', parameters: { seconds: 0, echo: 'b' }, idempotency_key: 'order-5678' },
    });

    // Assess
    expect(toolErrorOf(result)).toMatchObject({ code: 'idempotency_conflict' });
  });

  it('keeps a second principal from seeing, resolving, cancelling or listing the first one’s task', async () => {
    // Arrange
    const bob = await harness.connect(TOKENS.bob);
    const handle = await initiate(alice, { operation_type: 'delay', parameters: { seconds: 0 }, idempotency_key: 'shared-key' });

    // Act
    const resolved = await bob.callTool({ name: 'resolve_task_status', arguments: { task_ref: handle.task_ref } });
    const cancelled = await bob.callTool({ name: 'cancel_task', arguments: { task_ref: handle.task_ref } });
    const bobsList = structured<{ tasks: { task_ref: string }[] }>(await bob.callTool({ name: 'list_tasks', arguments: {} }));
    const bobsOwn = await initiate(bob, { operation_type: 'delay', parameters: { seconds: 0 }, idempotency_key: 'shared-key' });

    // Assess
    expect(toolErrorOf(resolved).code).toBe('not_found');
    expect(toolErrorOf(cancelled).code).toBe('not_found');
    expect(bobsList.tasks.map((task) => task.task_ref)).not.toContain(handle.task_ref);
    expect(bobsOwn.task_ref).not.toBe(handle.task_ref);
  });

  it('lists the caller’s own tasks newest first, filtered by status and paged by cursor', async () => {
    // Arrange
    const carol = await harness.connect(TOKENS.bob, { jwtClaims: { sub: 'carol' } });
    const refs: string[] = [];
    for (let i = 0; i < 3; i++)
      refs.push((await initiate(carol, { operation_type: 'delay', parameters: { seconds: 0 }, wait_seconds: 3 })).task_ref);

    // Act
    type Page = { tasks: { task_ref: string; status: string; operation_type: string }[]; next_cursor: string | null };
    const firstPage = structured<Page>(await carol.callTool({ name: 'list_tasks', arguments: { status: 'completed', limit: 2 } }));
    const secondPage = structured<Page>(
      await carol.callTool({ name: 'list_tasks', arguments: { status: 'completed', limit: 2, cursor: firstPage.next_cursor } }),
    );

    // Assess
    const listed = [...firstPage.tasks, ...secondPage.tasks].map((task) => task.task_ref);
    expect(firstPage.tasks).toHaveLength(2);
    expect(firstPage.next_cursor).toEqual(expect.any(String));
    expect(listed.slice(0, 3)).toEqual([...refs].reverse());
    expect([...firstPage.tasks, ...secondPage.tasks].every((task) => task.status === 'completed' && task.operation_type === 'delay')).toBe(
      true,
    );
  });
});
