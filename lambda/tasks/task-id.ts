import { createHash, randomBytes } from 'node:crypto';

/** 128 bits, base64url: 22 characters. */
const TASK_ID = /^[A-Za-z0-9_-]{22}$/;

/** A fresh random task id. */
export function newTaskId(): string {
  return randomBytes(16).toString('base64url');
}

/** The id of an idempotent request: the same owner and key always name the same task, other owners never do. */
export function idempotentTaskId(owner: string, idempotencyKey: string): string {
  return createHash('sha256').update(owner).update('\0').update(idempotencyKey).digest().subarray(0, 16).toString('base64url');
}

/** Whether a string can be a task id at all (checked before any read). */
export function isTaskId(value: string): boolean {
  return TASK_ID.test(value);
}

/** A stable hash of what was asked, so a reused idempotency key can tell "same request" from "different". */
export function payloadHash(operation: string, params: unknown): string {
  return createHash('sha256').update(operation).update('\0').update(canonicalJson(params)).digest('base64url');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
