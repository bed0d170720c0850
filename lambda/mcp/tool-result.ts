import type { Log } from '../shared/log.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, TaskError, type TaskErrorInfo } from '../tasks/task-error.js';

/** A successful tool result: the value as structuredContent and the same JSON as text for older clients. */
export function toolSuccess(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
}

/**
 * A tool error: `{ error: { code, message, retryable } }` as JSON text. It carries no
 * structuredContent on purpose: SDK clients validate structuredContent against the tool's
 * outputSchema even when `isError` is set, and an error does not have the success shape.
 */
export function toolError(error: TaskErrorInfo): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify({ error }) }], isError: true };
}

/** The caller-facing form of any failure: a TaskError as it is, anything else as a logged internal_error. */
export function errorInfoOf(error: unknown, logger?: Log): TaskErrorInfo {
  if (error instanceof TaskError) return error.toInfo();
  logger?.error('tool call failed unexpectedly', { error: error as Error });
  return { code: ErrorCode.InternalError, message: 'internal error; the failure was logged', retryable: true };
}

/** A validation_error naming the fields, in the format the core uses (`parameters.seconds: …`). */
export function validationError(message: string): CallToolResult {
  return toolError({ code: ErrorCode.ValidationError, message, retryable: false });
}
