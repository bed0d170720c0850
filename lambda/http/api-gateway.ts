import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** Bodies of these media types travel as text; anything else is base64 (API Gateway's binary rule). */
const TEXT_MEDIA_TYPE = /^(text\/|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|javascript|x-www-form-urlencoded)\b)|^$/i;

/**
 * Turns an API Gateway HTTP API (payload 2.0) event into a web `Request`: method, URL with the raw
 * query string, headers (API Gateway already joined repeated ones with commas), cookies back into
 * one `cookie` header, and the body decoded from base64 when API Gateway encoded it.
 */
export function toWebRequest(event: APIGatewayProxyEventV2, options: { body?: boolean } = {}): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers.set(name, value);
  }
  if (event.cookies?.length) headers.set('cookie', event.cookies.join('; '));

  const host = headers.get('host') ?? event.requestContext.domainName ?? 'localhost';
  const scheme = headers.get('x-forwarded-proto') ?? 'https';
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  const url = `${scheme}://${host}${event.rawPath || '/'}${query}`;

  const method = event.requestContext.http.method.toUpperCase();
  // A body already parsed elsewhere need not become a stream again: that is most of what a Request costs.
  const hasBody = (options.body ?? true) && event.body !== undefined && event.body !== null && method !== 'GET' && method !== 'HEAD';
  const body = hasBody ? (event.isBase64Encoded ? Buffer.from(event.body!, 'base64') : event.body!) : undefined;
  return new Request(url, { method, headers, body });
}

/**
 * Turns a web `Response` into an API Gateway result: status, headers (repeated ones joined with
 * commas, `set-cookie` moved to `cookies`), and the body as text for textual media types or base64
 * otherwise.
 */
export async function toApiGatewayResult(response: Response): Promise<APIGatewayProxyStructuredResultV2> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  const result: APIGatewayProxyStructuredResultV2 = { statusCode: response.status, headers };
  if (cookies.length > 0) result.cookies = cookies;

  const bytes = Buffer.from(await response.arrayBuffer());
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  if (TEXT_MEDIA_TYPE.test(mediaType)) {
    result.body = bytes.toString('utf8');
    result.isBase64Encoded = false;
  } else {
    result.body = bytes.toString('base64');
    result.isBase64Encoded = true;
  }
  return result;
}

/** The body's size in bytes as it will be after decoding, computed without decoding it. */
export function bodyByteLength(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): number {
  const { body } = event;
  if (!body) return 0;
  if (!event.isBase64Encoded) return Buffer.byteLength(body, 'utf8');
  const padding = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
  return Math.floor((body.length * 3) / 4) - padding;
}
