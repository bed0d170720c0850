import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { bodyByteLength, toApiGatewayResult, toWebRequest } from '../../lambda/http/api-gateway.js';

function event(overrides: Partial<APIGatewayProxyEventV2> & { method?: string } = {}): APIGatewayProxyEventV2 {
  const { method = 'POST', ...rest } = overrides;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/mcp',
    rawQueryString: '',
    headers: { host: 'api.example.com', 'content-type': 'application/json' },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path: '/mcp', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' },
      requestId: 'r1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 0,
    },
    isBase64Encoded: false,
    ...rest,
  };
}

describe('Function: toWebRequest', () => {
  it('builds the URL from the host header, the raw path and the raw query string', () => {
    // Act
    const request = toWebRequest(event({ rawPath: '/mcp', rawQueryString: 'a=1&b=two%20words&a=3' }));

    // Assess
    expect(request.method).toBe('POST');
    expect(request.url).toBe('https://api.example.com/mcp?a=1&b=two%20words&a=3');
    expect(new URL(request.url).searchParams.getAll('a')).toEqual(['1', '3']);
  });

  it('falls back to the request context’s domain name and honours x-forwarded-proto', () => {
    // Act
    const request = toWebRequest(event({ headers: { 'x-forwarded-proto': 'http' } }));

    // Assess
    expect(request.url).toBe('http://api.example.com/mcp');
  });

  it('passes headers through, including values API Gateway joined from repeated headers', async () => {
    // Act
    const request = toWebRequest(event({ headers: { host: 'h', accept: 'application/json, text/event-stream', 'x-multi': 'a,b' } }));

    // Assess
    expect(request.headers.get('accept')).toBe('application/json, text/event-stream');
    expect(request.headers.get('x-multi')).toBe('a,b');
  });

  it('joins the cookies array back into one cookie header', () => {
    // Act
    const request = toWebRequest(event({ cookies: ['a=1', 'b=2'] }));

    // Assess
    expect(request.headers.get('cookie')).toBe('a=1; b=2');
  });

  it('passes a text body as is', async () => {
    // Act
    const request = toWebRequest(event({ body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' }));

    // Assess
    expect(await request.json()).toEqual({ jsonrpc: '2.0', id: 1, method: 'ping' });
  });

  it('decodes a base64-encoded body to its bytes', async () => {
    // Arrange
    const bytes = Buffer.from('{"emoji":"✓"}', 'utf8');

    // Act
    const request = toWebRequest(event({ body: bytes.toString('base64'), isBase64Encoded: true }));

    // Assess
    expect(Buffer.from(await request.arrayBuffer())).toEqual(bytes);
  });

  it('drops a body on GET, which a web Request cannot carry', () => {
    // Act
    const request = toWebRequest(event({ method: 'GET', body: 'ignored' }));

    // Assess
    expect(request.method).toBe('GET');
    expect(request.body).toBeNull();
  });
});

describe('Function: toApiGatewayResult', () => {
  it('keeps the status code and a JSON body as text', async () => {
    // Act
    const result = await toApiGatewayResult(
      new Response('{"ok":true}', { status: 202, headers: { 'content-type': 'application/json; charset=utf-8' } }),
    );

    // Assess
    expect(result).toMatchObject({ statusCode: 202, body: '{"ok":true}', isBase64Encoded: false });
    expect(result.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8' });
  });

  it('base64-encodes a binary body', async () => {
    // Arrange
    const bytes = new Uint8Array([0, 1, 2, 255]);

    // Act
    const result = await toApiGatewayResult(new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } }));

    // Assess
    expect(result.isBase64Encoded).toBe(true);
    expect(Buffer.from(result.body!, 'base64')).toEqual(Buffer.from(bytes));
  });

  it('moves set-cookie headers to cookies and joins other repeated headers', async () => {
    // Arrange
    const headers = new Headers({ 'content-type': 'text/plain' });
    headers.append('set-cookie', 'a=1; Path=/');
    headers.append('set-cookie', 'b=2; Path=/');
    headers.append('vary', 'accept');
    headers.append('vary', 'origin');

    // Act
    const result = await toApiGatewayResult(new Response('hi', { status: 405, headers }));

    // Assess
    expect(result.statusCode).toBe(405);
    expect(result.cookies).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(result.headers).not.toHaveProperty('set-cookie');
    expect(result.headers?.vary).toBe('accept, origin');
  });

  it('answers an empty body as empty text', async () => {
    // Act
    const result = await toApiGatewayResult(new Response(null, { status: 202 }));

    // Assess
    expect(result).toMatchObject({ statusCode: 202, body: '', isBase64Encoded: false });
  });
});

describe('Function: bodyByteLength', () => {
  it.each([
    ['plain ASCII', 'hello', false, 5],
    ['multi-byte UTF-8', '✓✓', false, 6],
    ['base64 without padding', Buffer.from('abc').toString('base64'), true, 3],
    ['base64 with one pad', Buffer.from('abcde').toString('base64'), true, 5],
    ['base64 with two pads', Buffer.from('abcd').toString('base64'), true, 4],
  ])('measures %s as the decoded size', (_label, body, isBase64Encoded, expected) => {
    // Act & assess
    expect(bodyByteLength({ body, isBase64Encoded })).toBe(expected);
  });

  it('measures a missing body as 0', () => {
    expect(bodyByteLength({ isBase64Encoded: false })).toBe(0);
  });
});
