import { CallToolResultSchema, CreateTaskResultSchema, ErrorCode as McpErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { CancelOutcome, CallOptions } from './handle-path.js';
import type { McpClientLike } from './mcp-client.js';
import { toClientError, type RequestContext } from './request-errors.js';
import { snapshotFromMcpTask, snapshotFromTaskResult, type TaskSnapshot } from './task-snapshot.js';

/** A native long poll's request may outlive the server's own hold (this server: 25 s) by this much. */
export const HOLD_GRACE_MS = 15_000;

/**
 * Starts an operation as a native MCP task: a task-augmented tools/call of the operation's own
 * tool, answered at once with a CreateTaskResult.
 * @throws TaskRequestError for the server's refusals (validation_error, …)
 */
export async function createNativeTask(
  client: McpClientLike,
  operation: string,
  parameters: Record<string, unknown>,
  options: CallOptions & RequestContext = {},
): Promise<TaskSnapshot> {
  try {
    const created = await client.request(
      { method: 'tools/call', params: { name: operation, arguments: parameters } },
      CreateTaskResultSchema,
      {
        task: {},
        signal: options.signal,
        timeout: options.timeout,
      },
    );
    return snapshotFromMcpTask(created.task);
  } catch (error) {
    throw toClientError(error, options);
  }
}

/**
 * One tasks/get; when it reports a final status, a tasks/result (answered at once) adds the result
 * or the error.
 * @throws TaskRequestError when the server does not know the task
 */
export async function getNativeTask(client: McpClientLike, ref: string, options: CallOptions & RequestContext = {}): Promise<TaskSnapshot> {
  let snapshot: TaskSnapshot;
  try {
    snapshot = snapshotFromMcpTask(await client.experimental.tasks.getTask(ref, { signal: options.signal, timeout: options.timeout }));
  } catch (error) {
    throw toClientError(error, { ...options, ref });
  }
  return snapshot.terminal ? fetchNativeResult(client, ref, snapshot, options) : snapshot;
}

/**
 * tasks/result as a long poll: by the spec it answers once the task is final; this server holds it
 * at most 25 s and then answers RequestTimeout with `{ status, pollInterval }`, and a server that
 * holds longer than `holdSeconds` + 15 s is cut off by the client — either way the task is still
 * working and the caller polls again.
 */
export async function awaitNativeResult(
  client: McpClientLike,
  ref: string,
  holdSeconds: number,
  options: CallOptions & RequestContext = {},
): Promise<TaskSnapshot> {
  try {
    const result = await client.experimental.tasks.getTaskResult(ref, CallToolResultSchema, {
      signal: options.signal,
      timeout: holdSeconds * 1000 + HOLD_GRACE_MS,
    });
    return snapshotFromTaskResult(ref, result);
  } catch (error) {
    if (error instanceof McpError && error.code === McpErrorCode.RequestTimeout && !options.signal?.aborted) {
      const data = error.data as { pollInterval?: unknown } | undefined;
      const pollInterval = typeof data?.pollInterval === 'number' ? data.pollInterval : undefined;
      return snapshotFromMcpTask({
        taskId: ref,
        status: 'working',
        ttl: null,
        createdAt: '',
        lastUpdatedAt: '',
        ...(pollInterval !== undefined && { pollInterval }),
      });
    }
    throw toClientError(error, { ...options, ref });
  }
}

/**
 * Cancels with tasks/cancel. This server refuses to cancel a final task; that comes back as the
 * task's current status rather than an error, as cancel_task does.
 * @throws TaskRequestError when the server does not know the task
 */
export async function cancelNativeTask(
  client: McpClientLike,
  ref: string,
  options: CallOptions & RequestContext = {},
): Promise<CancelOutcome> {
  try {
    const task = await client.experimental.tasks.cancelTask(ref, { signal: options.signal, timeout: options.timeout });
    return { ref, status: task.status, message: task.statusMessage ?? null };
  } catch (error) {
    const current = await client.experimental.tasks
      .getTask(ref, { signal: options.signal, timeout: options.timeout })
      .catch(() => undefined);
    if (current && current.status !== 'working' && current.status !== 'input_required') {
      return { ref, status: current.status, message: `The task is already ${current.status}; nothing changed.` };
    }
    throw toClientError(error, { ...options, ref });
  }
}

async function fetchNativeResult(
  client: McpClientLike,
  ref: string,
  known: TaskSnapshot,
  options: CallOptions & RequestContext,
): Promise<TaskSnapshot> {
  try {
    const result = await client.experimental.tasks.getTaskResult(ref, CallToolResultSchema, {
      signal: options.signal,
      timeout: options.timeout,
    });
    return snapshotFromTaskResult(ref, result, known);
  } catch (error) {
    throw toClientError(error, { ...options, ref });
  }
}
