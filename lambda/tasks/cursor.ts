import { ErrorCode, TaskError } from './task-error.js';
import { isTaskId } from './task-id.js';

/** Turns a DynamoDB page key of the byOwner index (owner, createdAt, taskId) into an opaque, URL-safe cursor. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * Reads a cursor back into the page key it was made from, checking every field before DynamoDB sees
 * it: a forged key must not start a page inside another owner's partition, and a key DynamoDB would
 * refuse (an empty taskId) or quietly misread (a fractional createdAt) must come back as the
 * caller's mistake, not as an internal error or a wrong page.
 * @throws TaskError invalid_cursor
 */
export function decodeCursor(cursor: string, owner: string): Record<string, unknown> {
  const key = parseJson(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (isPageKeyOf(key, owner)) return key;
  throw new TaskError(
    ErrorCode.InvalidCursor,
    'cursor is not a next_cursor this server returned to you; list again without a cursor to start from your newest task',
  );
}

function isPageKeyOf(key: unknown, owner: string): key is Record<string, unknown> {
  if (typeof key !== 'object' || key === null || Array.isArray(key)) return false;
  const { owner: keyOwner, taskId, createdAt, ...rest } = key as Record<string, unknown>;
  return (
    Object.keys(rest).length === 0 &&
    keyOwner === owner &&
    typeof taskId === 'string' &&
    isTaskId(taskId) &&
    typeof createdAt === 'number' &&
    Number.isSafeInteger(createdAt) &&
    createdAt >= 0
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
