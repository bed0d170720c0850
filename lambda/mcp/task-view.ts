import type { Task } from '@modelcontextprotocol/sdk/types.js';
import { isTerminal, TaskStatus, type TaskRecord } from '../tasks/task.js';
import type { TaskService } from '../tasks/task-service-types.js';
import type { HandleView, ListItemView, StatusView } from './tool-schemas.js';

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | undefined) => (ms === undefined ? null : iso(ms));

/** The handle initiate_background_task returns; result and error only once the task is final. */
export function toHandleView(task: TaskRecord, service: TaskService): HandleView {
  const view: HandleView = {
    task_ref: task.taskId,
    status: task.status,
    created_at: iso(task.createdAt),
    poll_after_ms: service.pollAfterMs(task),
  };
  if (isTerminal(task.status)) {
    view.result = task.status === TaskStatus.Completed ? (task.result ?? null) : null;
    view.error = task.error ?? null;
  }
  return view;
}

/** The fields a task's status and its list entry share (all in the byOwner index's projection). */
function summaryOf(task: TaskRecord) {
  return {
    task_ref: task.taskId,
    status: task.status,
    operation_type: task.operation,
    created_at: iso(task.createdAt),
    updated_at: iso(task.updatedAt),
    finished_at: isoOrNull(task.finishedAt),
    error: task.error ?? null,
  };
}

/** The full status resolve_task_status returns; every field present, null when not applicable. */
export function toStatusView(task: TaskRecord, service: TaskService): StatusView {
  return {
    ...summaryOf(task),
    started_at: isoOrNull(task.startedAt),
    attempt: task.attempt,
    progress: task.progress
      ? { percent: task.progress.percent, ...(task.progress.message !== undefined && { message: task.progress.message }) }
      : null,
    result: task.status === TaskStatus.Completed ? (task.result ?? null) : null,
    poll_after_ms: service.pollAfterMs(task),
    expires_at: iso(task.expiresAt * 1000),
  };
}

/** One list_tasks entry (the byOwner index carries no params or result). */
export function toListItemView(task: TaskRecord): ListItemView {
  return summaryOf(task);
}

/** Our status in MCP's task vocabulary: pending and processing are both `working`. */
export function toMcpTaskStatus(status: TaskRecord['status']): Task['status'] {
  return status === TaskStatus.Pending || status === TaskStatus.Processing ? 'working' : status;
}

/** A task record as an MCP (2025-11-25) task: ttl counts from creation, pollInterval from the backoff hint. */
export function toMcpTask(task: TaskRecord, service: TaskService): Task {
  const pollInterval = service.pollAfterMs(task);
  const statusMessage = task.error?.message ?? task.progress?.message;
  return {
    taskId: task.taskId,
    status: toMcpTaskStatus(task.status),
    ttl: Math.max(0, task.expiresAt * 1000 - task.createdAt),
    createdAt: iso(task.createdAt),
    lastUpdatedAt: iso(task.updatedAt),
    ...(pollInterval !== null && { pollInterval }),
    ...(statusMessage !== undefined && { statusMessage }),
  };
}
