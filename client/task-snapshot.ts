import type { CallToolResult, Task } from '@modelcontextprotocol/sdk/types.js';
import type { TaskErrorInfo } from './errors.js';

/**
 * Which protocol a task is followed through: `handle` = the async-handle tools
 * (initiate_background_task, resolve_task_status, cancel_task); `native` = MCP tasks (spec
 * 2025-11-25: a task-augmented tools/call, then tasks/get, tasks/result, tasks/cancel).
 */
export type TaskPath = 'handle' | 'native';

/**
 * A task's status. The handle tools say pending/processing; MCP tasks say working (and, on other
 * servers, input_required). completed, failed and cancelled are final on both.
 */
export type TaskStatus = 'pending' | 'processing' | 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

const TERMINAL: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

/** Whether a status is final (completed, failed, cancelled). */
export function isTerminalStatus(status: string): boolean {
  return TERMINAL.has(status);
}

/** How far a task says it is. */
export interface TaskProgress {
  /** 0–100; null when the path does not report it (MCP tasks carry only a message). */
  percent: number | null;
  message: string | null;
}

/** One look at a task, the same whichever path it came through. */
export interface TaskSnapshot {
  ref: string;
  via: TaskPath;
  status: TaskStatus;
  terminal: boolean;
  /** The operation's name, when the answer says it. */
  operation: string | null;
  progress: TaskProgress | null;
  /** The result once completed; null otherwise. */
  result: unknown;
  /** Why it failed or was cancelled; null otherwise. */
  error: TaskErrorInfo | null;
  /** The server's hint for the next poll; null when final or not given. */
  pollAfterMs: number | null;
  /** What the server answered, unchanged (snake_case views of the handle tools, or the MCP Task). */
  view: unknown;
}

/** The handle initiate_background_task (and an operation's own tool) returns. */
export interface HandleView {
  task_ref: string;
  status: TaskStatus;
  created_at: string;
  poll_after_ms: number | null;
  result?: unknown;
  error?: TaskErrorInfo | null;
}

/** What resolve_task_status returns. */
export interface StatusView extends HandleView {
  operation_type: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  attempt: number;
  progress: { percent: number; message?: string } | null;
  result: unknown;
  error: TaskErrorInfo | null;
  expires_at: string;
}

/** A snapshot from a handle tool's answer (initiate_background_task or resolve_task_status). */
export function snapshotFromView(view: HandleView | StatusView): TaskSnapshot {
  const terminal = isTerminalStatus(view.status);
  const progress = 'progress' in view && view.progress ? { percent: view.progress.percent, message: view.progress.message ?? null } : null;
  return {
    ref: view.task_ref,
    via: 'handle',
    status: view.status,
    terminal,
    operation: 'operation_type' in view ? view.operation_type : null,
    progress,
    result: view.status === 'completed' ? (view.result ?? null) : null,
    error: view.error ?? null,
    pollAfterMs: terminal ? null : view.poll_after_ms,
    view,
  };
}

/** A snapshot from an MCP task (CreateTaskResult.task or tasks/get), before any tasks/result. */
export function snapshotFromMcpTask(task: Task): TaskSnapshot {
  const terminal = isTerminalStatus(task.status);
  return {
    ref: task.taskId,
    via: 'native',
    status: task.status,
    terminal,
    operation: null,
    progress: task.statusMessage ? { percent: null, message: task.statusMessage } : null,
    result: null,
    error: null,
    pollAfterMs: terminal ? null : (task.pollInterval ?? null),
    view: task,
  };
}

/**
 * A final snapshot from tasks/result. On this server the payload is the operation tool's handle
 * (its structuredContent says status, result and error); from other servers the CallToolResult
 * itself is the result, and `isError` means failed with the text as the message.
 */
export function snapshotFromTaskResult(ref: string, result: CallToolResult, known?: TaskSnapshot): TaskSnapshot {
  const handle = result.structuredContent as Partial<HandleView> | undefined;
  if (handle && typeof handle.task_ref === 'string' && typeof handle.status === 'string' && isTerminalStatus(handle.status)) {
    return { ...snapshotFromView(handle as HandleView), via: 'native', progress: known?.progress ?? null, view: result };
  }
  const status: TaskStatus = result.isError ? (known?.status === 'cancelled' ? 'cancelled' : 'failed') : 'completed';
  const text = result.content
    .map((part) => (part.type === 'text' ? part.text : ''))
    .join('\n')
    .trim();
  return {
    ref,
    via: 'native',
    status,
    terminal: true,
    operation: null,
    progress: known?.progress ?? null,
    result: status === 'completed' ? (result.structuredContent ?? result.content) : null,
    error:
      status === 'completed'
        ? null
        : { code: status === 'cancelled' ? 'cancelled' : 'operation_error', message: text || `task ${status}`, retryable: false },
    pollAfterMs: null,
    view: result,
  };
}
