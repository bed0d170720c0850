import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { bearerToken } from '../shared/bearer-token.js';
import type { AuthorizerContext } from '../auth/api-key-authorizer.js';

/** How callers are identified; everything but the authorizer context is for runs off AWS. */
export interface PrincipalOptions {
  /** Only an explicit `true` lets unidentified callers in, as `anonymous`. */
  authDisabled: boolean;
  /** Bearer token → principal (local runs: MCP_AUTH_TOKENS). When set, a token is required. */
  authTokens?: ReadonlyMap<string, string>;
  /** Without a token map, callers from a loopback address act as the single principal `local`. */
  loopbackPrincipal?: boolean;
}

/** Who the caller is, or why not. */
export type PrincipalResolution = { ok: true; principal: string } | { ok: false; reason: 'missing_credentials' | 'invalid_token' };

/** The principal of callers on the loopback interface when no token map is configured. */
export const LOCAL_PRINCIPAL = 'local';
/** The principal of every caller when authentication is explicitly disabled. */
export const ANONYMOUS_PRINCIPAL = 'anonymous';

/** API Gateway's `requestContext.authorizer`: a JWT authorizer's claims, or our Lambda authorizer's context. */
interface GatewayAuthorizer {
  jwt?: { claims?: Record<string, unknown> };
  lambda?: Partial<AuthorizerContext>;
}

/**
 * Resolves the caller: the API Gateway authorizer's JWT `sub` or Lambda-authorizer `principal`
 * first; then, off AWS, a bearer token from the token map, or loopback as `local`; then `anonymous`
 * if authentication is disabled. Anything else is refused.
 */
export function resolvePrincipal(event: APIGatewayProxyEventV2, options: PrincipalOptions): PrincipalResolution {
  const authorizer = (event.requestContext as { authorizer?: GatewayAuthorizer }).authorizer;
  const fromAuthorizer = nonEmpty(authorizer?.jwt?.claims?.sub) ?? nonEmpty(authorizer?.lambda?.principal);
  if (fromAuthorizer) return { ok: true, principal: fromAuthorizer };

  if (options.authTokens && options.authTokens.size > 0) {
    const token = bearerToken(event.headers);
    const principal = token === undefined ? undefined : options.authTokens.get(token);
    if (principal) return { ok: true, principal };
    if (options.authDisabled && token === undefined) return { ok: true, principal: ANONYMOUS_PRINCIPAL };
    return { ok: false, reason: token === undefined ? 'missing_credentials' : 'invalid_token' };
  }
  if (options.loopbackPrincipal && isLoopback(event.requestContext.http.sourceIp)) {
    return { ok: true, principal: LOCAL_PRINCIPAL };
  }
  if (options.authDisabled) return { ok: true, principal: ANONYMOUS_PRINCIPAL };
  return { ok: false, reason: 'missing_credentials' };
}

/**
 * Parses `tokenA=alice,tokenB=bob` (the MCP_AUTH_TOKENS format) into a token → principal map.
 * @throws Error naming the first malformed entry.
 */
export function parseAuthTokens(value: string | undefined): Map<string, string> {
  const tokens = new Map<string, string>();
  for (const entry of (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const at = entry.indexOf('=');
    const token = entry.slice(0, at).trim();
    const principal = entry.slice(at + 1).trim();
    if (at < 1 || !token || !principal) throw new Error(`MCP_AUTH_TOKENS entry ${JSON.stringify(entry)} is not token=principal`);
    tokens.set(token, principal);
  }
  return tokens;
}

/** Whether an address is on the loopback interface (IPv4, IPv6 or IPv4-mapped IPv6). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return plain === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(plain);
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
