import { ErrorCode, TaskError } from './task-error.js';

/** Turns a DynamoDB page key into an opaque, URL-safe cursor. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * Reads a cursor back, refusing anything that is not a page key of `owner`'s own listing (a forged
 * cursor must not start a page inside another owner's partition).
 * @throws TaskError validation_error
 */
export function decodeCursor(cursor: string, owner: string): Record<string, unknown> {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (key.owner === owner && typeof key.taskId === 'string' && typeof key.createdAt === 'number' && Object.keys(key).length === 3) {
      return key;
    }
  } catch {
    // fall through to the one error below
  }
  throw new TaskError(ErrorCode.ValidationError, 'cursor is not a next_cursor returned by list_tasks');
}
