import { HandleTool } from './handle-tool.js';
import type { McpClientLike } from './mcp-client.js';
import { toClientError, type RequestContext } from './request-errors.js';
import { snapshotFromView, type HandleView, type StatusView, type TaskSnapshot, type TaskStatus } from './task-snapshot.js';
import { readToolReply } from './tool-reply.js';
import type { TaskErrorInfo } from './errors.js';

/** Per-request settings: the SDK's abort signal and time limit. */
export interface CallOptions {
  signal?: AbortSignal;
  /** @default the SDK's 60 s */
  timeout?: number;
}

/** What initiate_background_task needs. */
export interface InitiateInput {
  operation: string;
  parameters: Record<string, unknown>;
  idempotencyKey?: string;
  maxWaitSeconds?: number;
  /** Let the server hold the call up to this long for the task to finish (0 = answer at once). */
  waitSeconds?: number;
}

/** What cancelling said. */
export interface CancelOutcome {
  ref: string;
  status: TaskStatus;
  /** The server's explanation (e.g. "already completed; nothing changed"), when it gives one. */
  message: string | null;
}

/** One entry of a task listing (list_tasks). */
export interface TaskListItem {
  task_ref: string;
  status: TaskStatus;
  operation_type: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  error: TaskErrorInfo | null;
}

/** A page of tasks, newest first. */
export interface TaskList {
  tasks: TaskListItem[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

/**
 * Starts a task with initiate_background_task.
 * @throws TaskRequestError for the server's refusals (unknown_operation, validation_error, idempotency_conflict, …)
 */
export async function initiateTask(
  client: McpClientLike,
  input: InitiateInput,
  options: CallOptions & RequestContext = {},
): Promise<TaskSnapshot> {
  const args: Record<string, unknown> = { operation_type: input.operation, parameters: input.parameters };
  if (input.idempotencyKey !== undefined) args.idempotency_key = input.idempotencyKey;
  if (input.maxWaitSeconds !== undefined) args.max_wait_seconds = input.maxWaitSeconds;
  if (input.waitSeconds) args.wait_seconds = input.waitSeconds;
  return snapshotFromView(await callHandleTool<HandleView>(client, HandleTool.Initiate, args, options));
}

/**
 * One resolve_task_status call; with `waitSeconds` the server holds it until the task is final or the time is up.
 * @throws TaskRequestError not_found for an unknown, expired or foreign reference
 */
export async function resolveTask(
  client: McpClientLike,
  ref: string,
  waitSeconds: number,
  options: CallOptions & RequestContext = {},
): Promise<TaskSnapshot> {
  const args: Record<string, unknown> = { task_ref: ref };
  if (waitSeconds > 0) args.wait_seconds = waitSeconds;
  return snapshotFromView(await callHandleTool<StatusView>(client, HandleTool.Resolve, args, { ...options, ref }));
}

/**
 * Cancels with cancel_task; cancelling a final task changes nothing and says so.
 * @throws TaskRequestError not_found for an unknown reference
 */
export async function cancelViaTool(
  client: McpClientLike,
  ref: string,
  options: CallOptions & RequestContext = {},
): Promise<CancelOutcome> {
  const reply = await callHandleTool<{ task_ref: string; status: TaskStatus; message?: string }>(
    client,
    HandleTool.Cancel,
    { task_ref: ref },
    { ...options, ref },
  );
  return { ref: reply.task_ref, status: reply.status, message: reply.message ?? null };
}

/** One page of list_tasks. */
export async function listViaTool(
  client: McpClientLike,
  filter: { status?: TaskStatus; limit?: number; cursor?: string },
  options: CallOptions & RequestContext = {},
): Promise<TaskList> {
  const args: Record<string, unknown> = {};
  if (filter.status) args.status = filter.status;
  if (filter.limit !== undefined) args.limit = filter.limit;
  if (filter.cursor) args.cursor = filter.cursor;
  const reply = await callHandleTool<{ tasks: TaskListItem[]; next_cursor: string | null }>(client, HandleTool.List, args, options);
  return { tasks: reply.tasks, nextCursor: reply.next_cursor ?? null };
}

async function callHandleTool<T>(
  client: McpClientLike,
  name: string,
  args: Record<string, unknown>,
  options: CallOptions & RequestContext,
): Promise<T> {
  let result: unknown;
  try {
    result = await client.callTool({ name, arguments: args }, undefined, { signal: options.signal, timeout: options.timeout });
  } catch (error) {
    throw toClientError(error, options);
  }
  return readToolReply<T>(result, options);
}
