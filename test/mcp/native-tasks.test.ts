import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ResponseMessage } from '@modelcontextprotocol/sdk/experimental/tasks';
import { CallToolResultSchema, CreateTaskResultSchema, ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMcpHarness, structured, TOKENS, type McpHarness } from '../support/mcp-harness.js';

type Message = ResponseMessage<CallToolResult>;

async function collect(stream: AsyncGenerator<unknown>): Promise<Message[]> {
  const messages: Message[] = [];
  for await (const message of stream) messages.push(message as Message);
  return messages;
}

describe('MCP endpoint: native MCP tasks (2025-11-25)', () => {
  let harness: McpHarness;
  let alice: Client;

  beforeAll(async () => {
    harness = await startMcpHarness();
    harness.startWorker();
    alice = await harness.connect(TOKENS.alice);
    await alice.listTools(); // the client learns which tools are task-capable
  });

  afterAll(async () => {
    await harness?.stop();
  });

  const createTask = (client: Client, args: Record<string, unknown>) =>
    client.request({ method: 'tools/call', params: { name: 'delay', arguments: args, task: {} } }, CreateTaskResultSchema);

  it('runs a task-augmented call to an operation’s tool through callToolStream to its result', async () => {
    // Act
    const messages = await collect(alice.experimental.tasks.callToolStream({ name: 'delay', arguments: { seconds: 0, echo: 'native' } }));

    // Assess
    const types = messages.map((message) => message.type);
    expect(types[0]).toBe('taskCreated');
    expect(types).toContain('taskStatus');
    expect(types.at(-1)).toBe('result');
    const created = messages[0] as Extract<Message, { type: 'taskCreated' }>;
    expect(created.task).toMatchObject({ status: 'working', pollInterval: harness.config.polling.initialIntervalMs });
    const result = (messages.at(-1) as Extract<Message, { type: 'result' }>).result;
    expect(structured(result)).toMatchObject({ task_ref: created.task.taskId, status: 'completed', result: { echo: 'native' } });
  });

  it('ends callToolStream with an error for a failed task, and tasks/result explains the failure', async () => {
    // Act
    const messages = await collect(alice.experimental.tasks.callToolStream({ name: 'delay', arguments: { seconds: 0, fail: 'boom' } }));
    const taskId = (messages[0] as Extract<Message, { type: 'taskCreated' }>).task.taskId;
    const task = await alice.experimental.tasks.getTask(taskId);
    const result = await alice.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);

    // Assess
    expect(messages.at(-1)).toMatchObject({ type: 'error' });
    expect(task).toMatchObject({ taskId, status: 'failed', statusMessage: 'boom' });
    expect(task.pollInterval).toBeUndefined();
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({ status: 'failed', error: { code: 'operation_error', message: 'boom' } });
  });

  it('answers tasks/get for a task started with initiate_background_task, mapping pending to working', async () => {
    // Arrange
    const handle = structured<{ task_ref: string }>(
      await alice.callTool({ name: 'initiate_background_task', arguments: { operation_type: 'delay', parameters: { seconds: 600 } } }),
    );

    // Act
    const task = await alice.experimental.tasks.getTask(handle.task_ref);
    const listed = await alice.experimental.tasks.listTasks();
    await alice.experimental.tasks.cancelTask(handle.task_ref);

    // Assess
    expect(task).toMatchObject({ taskId: handle.task_ref, status: 'working', pollInterval: expect.any(Number) });
    expect(task.ttl).toBeGreaterThan(0);
    expect(listed.tasks.map((t) => t.taskId)).toContain(handle.task_ref);
  });

  it('cancels through tasks/cancel and refuses to cancel the task again', async () => {
    // Arrange
    const { task } = await createTask(alice, { seconds: 600 });

    // Act
    const cancelled = await alice.experimental.tasks.cancelTask(task.taskId);
    const again = alice.experimental.tasks.cancelTask(task.taskId);

    // Assess
    expect(cancelled).toMatchObject({ taskId: task.taskId, status: 'cancelled' });
    await expect(again).rejects.toThrow(/terminal status: cancelled/);
  });

  it('caps tasks/result for an unfinished task and tells the client to keep polling tasks/get', async () => {
    // Arrange
    const { task } = await createTask(alice, { seconds: 600 });

    // Act
    const outcome = alice.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);

    // Assess
    await expect(outcome).rejects.toSatisfy(
      (error: unknown) =>
        error instanceof McpError && error.code === ErrorCode.RequestTimeout && /keep polling tasks\/get/.test(error.message),
    );
    await alice.experimental.tasks.cancelTask(task.taskId);
  });

  it('keeps another principal from getting, fetching the result of, cancelling or listing a task', async () => {
    // Arrange
    const bob = await harness.connect(TOKENS.bob);
    const { task } = await createTask(alice, { seconds: 0 });

    // Act
    const outcomes = await Promise.allSettled([
      bob.experimental.tasks.getTask(task.taskId),
      bob.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema),
      bob.experimental.tasks.cancelTask(task.taskId),
    ]);
    const list = await bob.experimental.tasks.listTasks();

    // Assess
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect(String((outcome as PromiseRejectedResult).reason)).toMatch(/not found/i);
    }
    // tasks/get carries our stable code, as the handle tools do.
    expect((outcomes[0] as PromiseRejectedResult).reason).toMatchObject({ code: -32602, data: { code: 'not_found' } });
    expect(list.tasks.map((t) => t.taskId)).not.toContain(task.taskId);
  });

  it('answers a plain call of an operation’s tool with the result when the task finishes in time', async () => {
    // Act
    const result = await alice.callTool({ name: 'delay', arguments: { seconds: 0, echo: 'plain' } });

    // Assess
    expect(structured(result)).toMatchObject({ status: 'completed', result: { echo: 'plain' }, poll_after_ms: null });
  });

  it('flags a plain call whose operation failed as isError, with the handle the client can still validate', async () => {
    // Act
    const result = await alice.callTool({ name: 'delay', arguments: { seconds: 0, fail: 'bad gateway' } });

    // Assess
    expect(result.isError).toBe(true);
    expect(result.structuredContent).toMatchObject({
      status: 'failed',
      result: null,
      error: { code: 'operation_error', message: 'bad gateway' },
    });
    expect(JSON.parse((result.content as { text: string }[])[0]!.text)).toEqual(result.structuredContent);
  });

  it('answers a plain call of an operation’s tool with the live handle once the wait is over', async () => {
    // Act
    const result = await alice.callTool({ name: 'delay', arguments: { seconds: 600 } });
    const handle = structured<{ task_ref: string; status: string; poll_after_ms: number }>(result);
    await alice.callTool({ name: 'cancel_task', arguments: { task_ref: handle.task_ref } });

    // Assess
    expect(['pending', 'processing']).toContain(handle.status);
    expect(handle.poll_after_ms).toBeGreaterThan(0);
  });

  it('refuses a task-augmented call to a tool that cannot run as a task with method-not-found', async () => {
    // Act
    const outcome = alice.request(
      { method: 'tools/call', params: { name: 'list_tasks', arguments: {}, task: {} } },
      CreateTaskResultSchema,
    );

    // Assess
    await expect(outcome).rejects.toSatisfy((error: unknown) => error instanceof McpError && error.code === ErrorCode.MethodNotFound);
  });

  it('refuses a task-augmented call with invalid arguments, naming the field', async () => {
    // Act
    const outcome = createTask(alice, { seconds: 'soon' });

    // Assess
    await expect(outcome).rejects.toSatisfy(
      (error: unknown) => error instanceof McpError && error.code === ErrorCode.InvalidParams && /seconds/.test(error.message),
    );
  });
});
