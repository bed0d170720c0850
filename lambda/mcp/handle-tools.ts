import type { Operation } from '../operations/operation.js';
import type { Config } from '../shared/config.js';
import { isTerminal, TaskStatus } from '../tasks/task.js';
import { ErrorCode } from '../tasks/task-error.js';
import { toHandleView, toListItemView, toStatusView } from './task-view.js';
import { errorInfoOf, toolError, toolSuccess } from './tool-result.js';
import { handleToolSchemas } from './tool-schemas.js';
import { parseArguments, toToolJsonSchema, type ToolSpec } from './tool-spec.js';
import { HandleTool } from '../../client/handle-tool.js';

/**
 * The four async-handle tools: start a task and get a reference at once, then resolve (long-poll),
 * cancel or list — every call scoped to the caller.
 */
export function createHandleTools(operations: readonly Operation[], config: Config): ToolSpec[] {
  const names = operations.map((op) => op.name);
  if (names.length === 0) throw new Error('no operations registered');
  const schemas = handleToolSchemas(names as [string, ...string[]], config);
  const maxWait = config.polling.maxWaitSeconds;
  const catalog = operations.map((op) => `- ${op.name}: ${op.description}`).join('\n');

  const initiate: ToolSpec = {
    definition: {
      name: HandleTool.Initiate,
      title: 'Start a background task',
      description:
        'Starts a long-running operation and returns a task_ref within milliseconds; the work runs in the background. ' +
        `Then call resolve_task_status with the task_ref (its wait_seconds long-polls up to ${maxWait} s) until status is ` +
        'completed, failed or cancelled. Set wait_seconds here to get quick results in this same call. ' +
        `Operations:\n${catalog}`,
      inputSchema: toToolJsonSchema(schemas.initiate.input, 'input'),
      outputSchema: toToolJsonSchema(schemas.initiate.output, 'output'),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async call(args, { service, principal, signal, logger }) {
      const known = operationTypeCheck(args, names);
      if (known) return known;
      const parsed = parseArguments(schemas.initiate.input, args);
      if (!parsed.ok) return parsed.result;
      const { operation_type, parameters, idempotency_key, max_wait_seconds, wait_seconds = 0 } = parsed.data;
      try {
        let { task } = await service.submit({
          owner: principal,
          operation: operation_type,
          params: parameters,
          idempotencyKey: idempotency_key,
          maxWaitSeconds: max_wait_seconds,
        });
        if (wait_seconds > 0 && !isTerminal(task.status)) {
          task = await service.waitForTerminal(principal, task.taskId, wait_seconds * 1000, signal);
        }
        return toolSuccess(toHandleView(task, service));
      } catch (error) {
        return toolError(errorInfoOf(error, logger));
      }
    },
  };

  const resolve: ToolSpec = {
    definition: {
      name: HandleTool.Resolve,
      title: 'Check a background task',
      description:
        'Returns a task’s state, progress, and its result or error once final (status completed, failed or cancelled). ' +
        `With wait_seconds (up to ${maxWait}) the call waits for the task to finish before answering, so one or two calls ` +
        'usually suffice; otherwise wait poll_after_ms between calls.',
      inputSchema: toToolJsonSchema(schemas.resolve.input, 'input'),
      outputSchema: toToolJsonSchema(schemas.resolve.output, 'output'),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async call(args, { service, principal, signal, logger }) {
      const parsed = parseArguments(schemas.resolve.input, args);
      if (!parsed.ok) return parsed.result;
      const { task_ref, wait_seconds = 0 } = parsed.data;
      try {
        const task =
          wait_seconds > 0
            ? await service.waitForTerminal(principal, task_ref, wait_seconds * 1000, signal)
            : await service.get(principal, task_ref);
        return toolSuccess(toStatusView(task, service));
      } catch (error) {
        return toolError(errorInfoOf(error, logger));
      }
    },
  };

  const cancel: ToolSpec = {
    definition: {
      name: HandleTool.Cancel,
      title: 'Cancel a background task',
      description:
        'Cancels a pending or running task; a running operation is stopped at its next heartbeat and its result discarded. ' +
        'Cancelling a task that is already final changes nothing and says so.',
      inputSchema: toToolJsonSchema(schemas.cancel.input, 'input'),
      outputSchema: toToolJsonSchema(schemas.cancel.output, 'output'),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async call(args, { service, principal, logger }) {
      const parsed = parseArguments(schemas.cancel.input, args);
      if (!parsed.ok) return parsed.result;
      try {
        const { task, changed } = await service.cancel(principal, parsed.data.task_ref);
        const message = changed
          ? 'Cancelled; a running operation stops at its next heartbeat and its result is discarded.'
          : task.status === TaskStatus.Cancelled
            ? 'The task was already cancelled; nothing changed.'
            : `The task is already ${task.status}; nothing changed.`;
        return toolSuccess({ task_ref: task.taskId, status: task.status, message });
      } catch (error) {
        return toolError(errorInfoOf(error, logger));
      }
    },
  };

  const list: ToolSpec = {
    definition: {
      name: HandleTool.List,
      title: 'List my background tasks',
      description: 'Lists your tasks, newest first, optionally only those in one status; page with cursor and next_cursor.',
      inputSchema: toToolJsonSchema(schemas.list.input, 'input'),
      outputSchema: toToolJsonSchema(schemas.list.output, 'output'),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async call(args, { service, principal, logger }) {
      const parsed = parseArguments(schemas.list.input, args);
      if (!parsed.ok) return parsed.result;
      const { status, limit, cursor } = parsed.data;
      try {
        const page = await service.list({ owner: principal, status, limit, cursor });
        return toolSuccess({ tasks: page.tasks.map(toListItemView), next_cursor: page.nextCursor ?? null });
      } catch (error) {
        return toolError(errorInfoOf(error, logger));
      }
    },
  };

  return [initiate, resolve, cancel, list];
}

/** An unregistered operation_type gets its own code rather than a generic schema complaint. */
function operationTypeCheck(args: unknown, names: readonly string[]) {
  const value = (args as { operation_type?: unknown } | undefined)?.operation_type;
  if (typeof value !== 'string' || names.includes(value)) return undefined;
  return toolError({
    code: ErrorCode.UnknownOperation,
    message: `unknown operation_type ${JSON.stringify(value)}; expected one of: ${names.join(', ')}`,
    retryable: false,
  });
}
