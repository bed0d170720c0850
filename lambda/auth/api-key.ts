import { createHash, randomBytes } from 'node:crypto';

/** The API key table's shape, shared by the CDK construct, the authorizer and the key CLI. */
export const API_KEY_TABLE = {
  /** SHA-256 of the key, hex: the key itself is never stored. */
  partitionKey: 'keyHash',
} as const;

/** The authorizer's environment variable holding the API key table's name. */
export const API_KEY_TABLE_ENV = 'API_KEY_TABLE';

/** Every key starts with this, so a leaked key is recognisable (secret scanners, logs). */
export const API_KEY_PREFIX = 'mcpat_';

/** How many hex digits of the hash identify a key in listings and revocation. */
export const KEY_ID_LENGTH = 16;

/** One stored API key: who it authenticates, never the key itself. */
export interface ApiKeyRecord {
  keyHash: string;
  /** The first KEY_ID_LENGTH hex digits of keyHash: safe to show, enough to revoke. */
  keyId: string;
  /** The principal the api scopes tasks to (the task `owner`). */
  principal: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds; a revoked key authenticates nobody. */
  revokedAt?: number;
  description?: string;
}

/** A new random key: the prefix and 256 bits, base64url. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/** The stored form of a key. A plain SHA-256 suffices: keys are 256-bit random, not passwords. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The public identifier of a stored key. */
export function keyIdOf(keyHash: string): string {
  return keyHash.slice(0, KEY_ID_LENGTH);
}
