import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import type { Clock } from '../shared/clock.js';
import { systemClock } from '../shared/clock.js';
import { bearerToken } from '../shared/bearer-token.js';
import { hashApiKey } from './api-key.js';
import type { ApiKeyRecord } from './api-key.js';

/** What the api handler reads as `requestContext.authorizer.lambda`. */
export interface AuthorizerContext {
  principal: string;
}

/** An HTTP API Lambda authorizer in the simple response format. */
export type ApiKeyAuthorizer = (
  event: APIGatewayRequestAuthorizerEventV2,
) => Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext | Record<string, never>>>;

/** Looks up a presented key; only `find` of ApiKeyStore is needed. */
export interface ApiKeyLookup {
  find(key: string): Promise<ApiKeyRecord | undefined>;
}

/** Options for createApiKeyAuthorizer. */
export interface ApiKeyAuthorizerOptions {
  store: ApiKeyLookup;
  clock?: Clock;
  /** How long a lookup (found, unknown or revoked) is reused by this instance. @default 30_000 */
  cacheTtlMs?: number;
  /** @default 1_000 */
  cacheSize?: number;
}

const DENY = { isAuthorized: false, context: {} } as const;

export { bearerToken };

/**
 * Authorizes a request whose bearer token is a stored, unrevoked API key, passing the key's
 * principal on as `context.principal`. Results are cached per key hash for `cacheTtlMs`, on top of
 * API Gateway's own authorizer cache, so a revocation takes effect within both TTLs.
 */
export function createApiKeyAuthorizer(options: ApiKeyAuthorizerOptions): ApiKeyAuthorizer {
  const clock = options.clock ?? systemClock;
  const ttlMs = options.cacheTtlMs ?? 30_000;
  const maxEntries = options.cacheSize ?? 1_000;
  const cache = new Map<string, { principal: string | undefined; until: number }>();

  return async (event) => {
    const key = bearerToken(event.headers);
    if (!key) return DENY;
    const keyHash = hashApiKey(key);
    const now = clock();
    let entry = cache.get(keyHash);
    if (!entry || entry.until <= now) {
      const record = await options.store.find(key);
      const principal = record && record.revokedAt === undefined && record.principal ? record.principal : undefined;
      entry = { principal, until: now + ttlMs };
      cache.delete(keyHash);
      cache.set(keyHash, entry);
      // Maps iterate in insertion order: the first key is the oldest entry.
      if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
    }
    return entry.principal ? { isAuthorized: true, context: { principal: entry.principal } } : DENY;
  };
}
