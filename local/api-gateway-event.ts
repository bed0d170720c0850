import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** The parts of an HTTP request that API Gateway turns into an event. */
export interface HttpRequestParts {
  method: string;
  /** Path and query, e.g. `/mcp?x=1`. */
  url: string;
  /** Lower-case names; repeated headers already joined with commas. */
  headers: Record<string, string>;
  body?: Buffer;
  sourceIp: string;
  /** What an authorizer put in the request context (tests play API Gateway's authorizers). */
  authorizer?: { jwt: { claims: Record<string, string>; scopes: string[] } } | { lambda: Record<string, string> };
}

/**
 * The HTTP API payload 2.0 event API Gateway would send for a request: cookies split out of their
 * header, and the body as text for textual media types, base64 otherwise (API Gateway's rule).
 */
export function toApiGatewayEvent(parts: HttpRequestParts): APIGatewayProxyEventV2 {
  const url = new URL(parts.url, 'http://local');
  const { cookie, ...headers } = parts.headers;
  const host = headers.host ?? 'localhost';
  const textual = /json|text/.test(headers['content-type'] ?? '');
  const hasBody = parts.body !== undefined && parts.body.length > 0;
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookie && { cookies: cookie.split(/;\s*/).filter(Boolean) }),
    headers,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0]!,
      http: {
        method: parts.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: parts.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
      ...(parts.authorizer && { authorizer: parts.authorizer }),
    } as APIGatewayProxyEventV2['requestContext'],
    body: hasBody ? parts.body!.toString(textual ? 'utf8' : 'base64') : undefined,
    isBase64Encoded: hasBody && !textual,
  };
}
