import { describe, expect, it } from 'vitest';
import { toHandleView, toMcpTask, toMcpTaskStatus, toStatusView } from '../../lambda/mcp/task-view.js';
import type { TaskRecord } from '../../lambda/tasks/task.js';
import type { TaskService } from '../../lambda/tasks/task-service-types.js';

const createdAt = Date.UTC(2026, 0, 1, 12, 0, 0);
const processing: TaskRecord = {
  taskId: 'AAAAAAAAAAAAAAAAAAAAAA',
  owner: 'alice',
  operation: 'delay',
  params: { seconds: 30 },
  status: 'processing',
  attempt: 2,
  maxAttempts: 3,
  createdAt,
  updatedAt: createdAt + 5_000,
  startedAt: createdAt + 1_000,
  deadlineAt: createdAt + 120_000,
  progress: { percent: 40, message: 'waited 12 of 30 s' },
  payloadHash: 'h',
  expiresAt: createdAt / 1000 + 86_520,
};
const service = {
  pollAfterMs: (task: TaskRecord) => (task.status === 'processing' || task.status === 'pending' ? 2_000 : null),
} as TaskService;

describe('Function: toMcpTaskStatus', () => {
  it.each([
    ['pending', 'working'],
    ['processing', 'working'],
    ['completed', 'completed'],
    ['failed', 'failed'],
    ['cancelled', 'cancelled'],
  ] as const)('maps %s to %s', (status, expected) => {
    expect(toMcpTaskStatus(status)).toBe(expected);
  });
});

describe('Function: toMcpTask', () => {
  it('maps a running task with its poll hint, progress message and ttl counted from creation', () => {
    expect(toMcpTask(processing, service)).toEqual({
      taskId: processing.taskId,
      status: 'working',
      ttl: 86_520_000,
      createdAt: '2026-01-01T12:00:00.000Z',
      lastUpdatedAt: '2026-01-01T12:00:05.000Z',
      pollInterval: 2_000,
      statusMessage: 'waited 12 of 30 s',
    });
  });

  it('leaves out the poll interval once final and reports the error as the status message', () => {
    const failed: TaskRecord = { ...processing, status: 'failed', error: { code: 'timeout', message: 'too slow', retryable: true } };
    const task = toMcpTask(failed, service);
    expect(task).toMatchObject({ status: 'failed', statusMessage: 'too slow' });
    expect(task).not.toHaveProperty('pollInterval');
  });
});

describe('Function: toStatusView', () => {
  it('presents every field, null where not applicable', () => {
    expect(toStatusView(processing, service)).toEqual({
      task_ref: processing.taskId,
      status: 'processing',
      operation_type: 'delay',
      created_at: '2026-01-01T12:00:00.000Z',
      updated_at: '2026-01-01T12:00:05.000Z',
      started_at: '2026-01-01T12:00:01.000Z',
      finished_at: null,
      attempt: 2,
      progress: { percent: 40, message: 'waited 12 of 30 s' },
      result: null,
      error: null,
      poll_after_ms: 2_000,
      expires_at: '2026-01-02T12:02:00.000Z',
    });
  });

  it('shows a result only for a completed task', () => {
    const cancelled: TaskRecord = { ...processing, status: 'cancelled', result: { partial: true } };
    expect(toStatusView(cancelled, service).result).toBeNull();
    expect(toStatusView({ ...processing, status: 'completed', result: { ok: 1 } }, service).result).toEqual({ ok: 1 });
  });
});

describe('Function: toHandleView', () => {
  it('carries no result or error while the task is live', () => {
    const view = toHandleView(processing, service);
    expect(view).toEqual({
      task_ref: processing.taskId,
      status: 'processing',
      created_at: '2026-01-01T12:00:00.000Z',
      poll_after_ms: 2_000,
    });
  });

  it('carries the result and a null error once completed', () => {
    expect(toHandleView({ ...processing, status: 'completed', result: 'done' }, service)).toMatchObject({
      result: 'done',
      error: null,
      poll_after_ms: null,
    });
  });
});
