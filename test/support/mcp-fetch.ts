import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApiHandler } from '../../lambda/handlers/api.js';
import { toApiGatewayEvent as buildEvent } from '../../local/api-gateway-event.js';

/** What API Gateway would add to an event besides the request itself. */
export interface EventContext {
  /** The caller's address; loopback unless said otherwise. */
  sourceIp?: string;
  /** A JWT authorizer's claims, as API Gateway passes them. */
  jwtClaims?: Record<string, string>;
  /** A Lambda authorizer's context. */
  lambdaContext?: Record<string, string>;
}

/** Builds the payload 2.0 event API Gateway would send for a web `Request` (binary bodies as base64). */
export async function toApiGatewayEvent(request: Request, context: EventContext = {}): Promise<APIGatewayProxyEventV2> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  headers.host ??= url.host;
  return buildEvent({
    method: request.method,
    url: url.pathname + url.search,
    headers,
    body: request.body ? Buffer.from(await request.arrayBuffer()) : undefined,
    sourceIp: context.sourceIp ?? '127.0.0.1',
    authorizer: context.jwtClaims
      ? { jwt: { claims: context.jwtClaims, scopes: [] } }
      : context.lambdaContext
        ? { lambda: context.lambdaContext }
        : undefined,
  });
}

/** Turns an API Gateway result back into the `Response` a client would receive. */
export function fromApiGatewayResult(result: APIGatewayProxyStructuredResultV2): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(result.headers ?? {})) headers.set(name, String(value));
  for (const cookie of result.cookies ?? []) headers.append('set-cookie', cookie);
  const body =
    result.body === undefined || result.body === '' ? null : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  const status = result.statusCode ?? 200;
  return new Response(status === 202 || status === 204 ? null : body, { status, headers });
}

/**
 * A `fetch` that delivers each request to the api handler in-process, as API Gateway would: the SDK's
 * own StreamableHTTPClientTransport runs over it unchanged.
 */
export function apiGatewayFetch(handler: ApiHandler, context: EventContext = {}): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const result = await handler(await toApiGatewayEvent(request, context));
    return fromApiGatewayResult(result);
  };
}
