import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Operation } from '../operations/operation.js';
import type { Config } from '../shared/config.js';
import { isTerminal, TaskStatus, type TaskRecord } from '../tasks/task.js';
import type { TaskService } from '../tasks/task-service-types.js';
import { toHandleView, toMcpTask } from './task-view.js';
import { errorInfoOf, toolError } from './tool-result.js';
import { handleViewSchema } from './tool-schemas.js';
import { parseArguments, parseTaskArguments, toToolJsonSchema, type ToolSpec } from './tool-spec.js';

/**
 * Each operation as a typed tool of its own (native MCP tasks, spec 2025-11-25): called with
 * `params.task` it answers a CreateTaskResult at once; called plainly it waits up to
 * `polling.maxWaitSeconds` and answers like initiate_background_task with wait_seconds — the result
 * if the task finished, its handle otherwise.
 */
export function createOperationTools(operations: readonly Operation[], config: Config): ToolSpec[] {
  const outputSchema = toToolJsonSchema(handleViewSchema, 'output');
  const waitMs = config.polling.maxWaitSeconds * 1000;

  return operations.map(
    (operation): ToolSpec => ({
      definition: {
        name: operation.name,
        title: operation.name,
        description:
          `${operation.description} Runs as a background task: call it task-augmented to get a task at once, or plainly ` +
          `to wait up to ${config.polling.maxWaitSeconds} s for the result (a task_ref to poll with resolve_task_status comes back otherwise).`,
        inputSchema: toToolJsonSchema(operation.input, 'input'),
        outputSchema,
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
        execution: { taskSupport: 'optional' },
      },
      async call(args, { service, principal, signal, logger }) {
        const parsed = parseArguments(operation.input, args);
        if (!parsed.ok) return parsed.result;
        try {
          const { task } = await service.submit({ owner: principal, operation: operation.name, params: args });
          const latest = isTerminal(task.status) ? task : await service.waitForTerminal(principal, task.taskId, waitMs, signal);
          return operationResult(latest, service);
        } catch (error) {
          return toolError(errorInfoOf(error, logger));
        }
      },
      async createTask(args, { service, principal }) {
        parseTaskArguments(operation.input, args);
        const { task } = await service.submit({ owner: principal, operation: operation.name, params: args });
        return { task: toMcpTask(task, service) };
      },
    }),
  );
}

/**
 * The CallToolResult of an operation's task (a plain call's answer, and what tasks/result returns):
 * the handle as structuredContent, flagged isError when the task failed or was cancelled.
 */
export function operationResult(task: TaskRecord, service: TaskService): CallToolResult {
  const view = toHandleView(task, service);
  const failed = task.status === TaskStatus.Failed || task.status === TaskStatus.Cancelled;
  return { content: [{ type: 'text', text: JSON.stringify(view) }], structuredContent: view, ...(failed && { isError: true }) };
}
