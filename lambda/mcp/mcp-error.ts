import type { Log } from '../shared/log.js';
import { ErrorCode as McpErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, TaskError } from '../tasks/task-error.js';
import { errorInfoOf } from './tool-result.js';

/**
 * A failure of a task request (tasks/*, task-augmented tools/call) as a JSON-RPC error carrying our
 * `{ code, message, retryable }` as data: caller mistakes are invalid params, anything unexpected is
 * logged and answered as a bare internal error.
 */
export function toMcpError(error: unknown, logger?: Log): McpError {
  if (error instanceof McpError) return error;
  const info = errorInfoOf(error, logger);
  const callerMistake = error instanceof TaskError && info.code !== ErrorCode.InternalError;
  return new McpError(callerMistake ? McpErrorCode.InvalidParams : McpErrorCode.InternalError, info.message, info);
}
