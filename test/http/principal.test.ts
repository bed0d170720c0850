import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { isLoopback, parseAuthTokens, resolvePrincipal, type PrincipalOptions } from '../../lambda/http/principal.js';

function event(options: { authorization?: string; sourceIp?: string; authorizer?: unknown } = {}): APIGatewayProxyEventV2 {
  return {
    headers: options.authorization ? { authorization: options.authorization } : {},
    requestContext: {
      http: { method: 'POST', path: '/mcp', protocol: 'HTTP/1.1', sourceIp: options.sourceIp ?? '203.0.113.7', userAgent: '' },
      ...(options.authorizer !== undefined && { authorizer: options.authorizer }),
    },
  } as unknown as APIGatewayProxyEventV2;
}

const tokens = parseAuthTokens('tokenA=alice, tokenB=bob');
const onAws: PrincipalOptions = { authDisabled: false };

describe('Function: resolvePrincipal', () => {
  it('takes the JWT authorizer’s sub claim', () => {
    expect(resolvePrincipal(event({ authorizer: { jwt: { claims: { sub: 'user-123' }, scopes: [] } } }), onAws)).toEqual({
      ok: true,
      principal: 'user-123',
    });
  });

  it('takes the Lambda authorizer’s principal', () => {
    expect(resolvePrincipal(event({ authorizer: { lambda: { principal: 'team-7' } } }), onAws)).toEqual({ ok: true, principal: 'team-7' });
  });

  it('prefers the authorizer over a bearer token', () => {
    const options = { authDisabled: false, authTokens: tokens };
    expect(resolvePrincipal(event({ authorization: 'Bearer tokenB', authorizer: { lambda: { principal: 'team-7' } } }), options)).toEqual({
      ok: true,
      principal: 'team-7',
    });
  });

  it('refuses a caller without an authorizer principal on AWS, even from loopback', () => {
    expect(resolvePrincipal(event({ sourceIp: '127.0.0.1' }), onAws)).toEqual({ ok: false, reason: 'missing_credentials' });
    expect(resolvePrincipal(event({ authorizer: { jwt: { claims: { sub: '' } } } }), onAws)).toEqual({
      ok: false,
      reason: 'missing_credentials',
    });
  });

  it('maps a known bearer token to its principal, case-insensitively on the scheme', () => {
    const options = { authDisabled: false, authTokens: tokens };
    expect(resolvePrincipal(event({ authorization: 'Bearer tokenA' }), options)).toEqual({ ok: true, principal: 'alice' });
    expect(resolvePrincipal(event({ authorization: 'bearer tokenB' }), options)).toEqual({ ok: true, principal: 'bob' });
  });

  it('refuses a missing or unknown token when a token map is set, also from loopback', () => {
    const options = { authDisabled: false, authTokens: tokens, loopbackPrincipal: true };
    expect(resolvePrincipal(event({ sourceIp: '127.0.0.1' }), options)).toEqual({ ok: false, reason: 'missing_credentials' });
    expect(resolvePrincipal(event({ authorization: 'Bearer tokenC' }), options)).toEqual({ ok: false, reason: 'invalid_token' });
    expect(resolvePrincipal(event({ authorization: 'Basic dG9rZW5BOg==' }), options)).toEqual({ ok: false, reason: 'missing_credentials' });
  });

  it('treats loopback callers as `local` when no token map is set, and no one else', () => {
    const options = { authDisabled: false, loopbackPrincipal: true };
    expect(resolvePrincipal(event({ sourceIp: '127.0.0.1' }), options)).toEqual({ ok: true, principal: 'local' });
    expect(resolvePrincipal(event({ sourceIp: '::1' }), options)).toEqual({ ok: true, principal: 'local' });
    expect(resolvePrincipal(event({ sourceIp: '192.168.1.20' }), options)).toEqual({ ok: false, reason: 'missing_credentials' });
  });

  it('lets unidentified callers in as `anonymous` only when auth is explicitly disabled', () => {
    expect(resolvePrincipal(event(), { authDisabled: true })).toEqual({ ok: true, principal: 'anonymous' });
    expect(resolvePrincipal(event(), { authDisabled: true, authTokens: tokens })).toEqual({ ok: true, principal: 'anonymous' });
    expect(resolvePrincipal(event({ authorization: 'Bearer wrong' }), { authDisabled: true, authTokens: tokens })).toEqual({
      ok: false,
      reason: 'invalid_token',
    });
  });
});

describe('Function: parseAuthTokens', () => {
  it('parses token=principal pairs, ignoring blanks and spaces', () => {
    expect([...parseAuthTokens(' tokenA=alice ,, tokenB = bob ')]).toEqual([
      ['tokenA', 'alice'],
      ['tokenB', 'bob'],
    ]);
  });

  it('reads unset as an empty map', () => {
    expect(parseAuthTokens(undefined).size).toBe(0);
  });

  it.each(['tokenA', '=alice', 'tokenA='])('throws on the malformed entry %j', (entry) => {
    expect(() => parseAuthTokens(`ok=fine,${entry}`)).toThrow(entry);
  });
});

describe('Function: isLoopback', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.12.0.9', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['1127.0.0.1', false],
    [undefined, false],
  ])('%s → %s', (address, expected) => {
    expect(isLoopback(address)).toBe(expected);
  });
});
