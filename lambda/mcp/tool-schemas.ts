import * as z from 'zod';
import type { Config } from '../shared/config.js';
import { ErrorCode } from '../tasks/task-error.js';
import { TASK_STATUSES } from '../tasks/task.js';

const status = z.enum(TASK_STATUSES).describe('pending, processing, completed, failed or cancelled; the last three are final.');
const isoTime = z.string().describe('ISO 8601 time.');
const taskRef = z.string().min(1).max(256).describe('The reference initiate_background_task returned.');
const errorInfo = z
  .object({
    code: z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]),
    message: z.string(),
    retryable: z.boolean(),
  })
  .describe('Why the task failed: a stable code, a message, and whether trying again may succeed.');
const pollAfterMs = z
  .number()
  .nullable()
  .describe('Milliseconds to wait before polling again (grows with the task’s age); null once the task is final.');

/** What a task's status and its list entry share. */
const taskSummary = z.object({
  task_ref: z.string(),
  status,
  operation_type: z.string(),
  created_at: isoTime,
  updated_at: isoTime,
  finished_at: isoTime.nullable(),
  error: errorInfo.nullable(),
});

/** A task handle: what initiate_background_task and an operation's own tool return. */
export const handleViewSchema = z.object({
  task_ref: z.string().describe('Pass this to resolve_task_status, cancel_task, or tasks/get.'),
  status,
  created_at: isoTime,
  poll_after_ms: pollAfterMs,
  result: z.unknown().optional().describe('Present once the task is final: its result, or null if it did not complete.'),
  error: errorInfo.nullable().optional().describe('Present once the task is final: why it failed, or null.'),
});

/** The inputs and outputs of the four async-handle tools, from the registered operations and the config. */
export function handleToolSchemas(operationNames: readonly [string, ...string[]], config: Config) {
  const maxWait = config.polling.maxWaitSeconds;
  const waitSeconds = z
    .number()
    .min(0)
    .max(maxWait)
    .optional()
    .describe(`Wait up to this many seconds (0–${maxWait}) for the task to finish before answering; default 0.`);

  return {
    initiate: {
      input: z.object({
        operation_type: z.enum(operationNames).describe('Which registered operation to run.'),
        parameters: z
          .record(z.string(), z.unknown())
          .default({})
          .describe('The operation’s parameters; each operation’s own tool (same name) documents their schema.'),
        idempotency_key: z
          .string()
          .min(1)
          .max(128)
          .optional()
          .describe('Retrying with the same key and parameters returns the same task instead of starting another.'),
        max_wait_seconds: z
          .number()
          .int()
          .min(1)
          .optional()
          .describe(
            `The task’s time limit in seconds (its SLA); capped at ${config.execution.maxTimeoutSeconds}. Default: the operation’s own, else ${config.execution.defaultTimeoutSeconds}.`,
          ),
        wait_seconds: waitSeconds,
      }),
      output: handleViewSchema,
    },
    resolve: {
      input: z.object({ task_ref: taskRef, wait_seconds: waitSeconds }),
      output: taskSummary.extend({
        started_at: isoTime.nullable(),
        attempt: z.number().int().describe('Runs started so far.'),
        progress: z.object({ percent: z.number(), message: z.string().optional() }).nullable(),
        result: z.unknown().describe('The result once completed; null otherwise.'),
        poll_after_ms: pollAfterMs,
        expires_at: isoTime.describe('After this time the task is forgotten.'),
      }),
    },
    cancel: {
      input: z.object({ task_ref: taskRef }),
      output: z.object({
        task_ref: z.string(),
        status,
        message: z.string().describe('What the cancellation did.'),
      }),
    },
    list: {
      input: z.object({
        status: status.optional().describe('Only tasks in this status.'),
        limit: z.number().int().min(1).max(100).optional().describe('Page size, 1–100; default 20.'),
        cursor: z.string().min(1).optional().describe('next_cursor from the previous page.'),
      }),
      output: z.object({
        tasks: z.array(taskSummary),
        next_cursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page.'),
      }),
    },
  };
}

/** The schemas of the four tools. */
export type HandleToolSchemas = ReturnType<typeof handleToolSchemas>;
/** What initiate_background_task (and an operation's own tool called without a task) returns. */
export type HandleView = z.infer<typeof handleViewSchema>;
/** What resolve_task_status returns. */
export type StatusView = z.infer<HandleToolSchemas['resolve']['output']>;
/** One entry of list_tasks. */
export type ListItemView = z.infer<HandleToolSchemas['list']['output']>['tasks'][number];
