import { request as requestHttp, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as requestHttps } from 'node:https';
import * as z from 'zod';
import { defineOperation, OperationError } from './operation.js';
import { createSsrfGuard, isIpLiteral } from './ssrf-guard.js';

const input = z.object({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET').describe('HTTP method.'),
  url: z.url({ protocol: /^https?$/ }).describe('Absolute http:// or https:// URL. Private, loopback and metadata addresses are refused.'),
  headers: z
    .record(z.string(), z.string())
    .optional()
    .describe(
      'Request headers. Never logged or shown back, and discarded when the task ends. An Idempotency-Key derived from the task is added unless set here.',
    ),
  body: z
    .json()
    .optional()
    .describe('Request body: a string is sent as-is; any other JSON value is sent as JSON with content-type application/json.'),
  timeout_seconds: z
    .number()
    .int()
    .min(1)
    .max(900)
    .optional()
    .describe('Limit for the whole request, from connecting to the last body byte; a timeout is retried.'),
  retry_on_status: z
    .array(z.number().int().min(100).max(599))
    .default([429, 502, 503, 504])
    .describe('Response statuses that count as transient failures and are retried.'),
});

/** What a finished request returns; redirects are returned as-is, never followed. */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON when the response says it is JSON and parses; text otherwise. */
  body: unknown;
}

// Transport failures that a later attempt may well not meet; anything else (TLS, bad headers) will.
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** Makes one HTTP request to a public address and returns its status, headers and body. */
export const httpRequest = defineOperation({
  name: 'http_request',
  description:
    'Makes an HTTP(S) request and returns { status, headers, body }. Redirects are returned, not followed; ' +
    'statuses in retry_on_status and network errors are retried.',
  input,
  defaultTimeoutSeconds: 30,
  retry: { maxAttempts: 3, baseDelaySeconds: 2 },
  // Header values are often credentials: never shown back, dropped when the task ends.
  secretParams: ['headers'],
  async execute(params, ctx): Promise<HttpResponse> {
    const url = new URL(params.url);
    const maxBytes = ctx.config.http.maxResponseBytes;
    const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
    const guard = createSsrfGuard({ port, allowHosts: ctx.config.http.allowHosts, stackPorts: ctx.config.http.stackPorts });

    // One signal for the socket, fed by the caller's signal and our own timeout, so each can be told apart.
    const stop = new AbortController();
    let timedOut = false;
    const timer =
      params.timeout_seconds === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            stop.abort();
          }, params.timeout_seconds * 1000);
    const onAbort = () => stop.abort(ctx.signal.reason);
    ctx.signal.addEventListener('abort', onAbort, { once: true });

    try {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      // net.connect skips `lookup` for IP literals, so they are checked here; names are checked
      // inside the guard's lookup, at the one moment they are resolved.
      if (isIpLiteral(url.hostname)) await guard.check(url.hostname);

      const headers: Record<string, string> = { ...params.headers };
      // Every attempt and re-dispatch of this task sends the same key, so an API that dedupes sees
      // one logical request however often the task runs.
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'idempotency-key')) headers['idempotency-key'] = ctx.taskId;
      let payload: string | undefined;
      if (typeof params.body === 'string') payload = params.body;
      else if (params.body !== undefined) {
        payload = JSON.stringify(params.body);
        if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
      }

      const send = url.protocol === 'https:' ? requestHttps : requestHttp;
      const response = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = send(url, {
          method: params.method,
          headers,
          lookup: guard.lookup,
          signal: stop.signal,
          // No pooling: a pooled socket would skip the lookup, and with it the guard.
          agent: false,
        });
        req.once('socket', (socket) => socket.once('connect', () => ctx.reportProgress(10, 'connected')));
        req.once('response', resolve);
        req.once('error', reject);
        req.end(payload);
      });
      ctx.reportProgress(50, `HTTP ${response.statusCode}`);

      const status = response.statusCode ?? 0;
      if (params.retry_on_status.includes(status)) {
        response.destroy();
        throw new OperationError(`HTTP ${status} from ${url.host}`, { retryable: true });
      }
      const raw = await readCapped(response, maxBytes, params.method !== 'HEAD');
      ctx.reportProgress(100, 'done');
      return { status, headers: response.headers, body: decodeBody(raw, response.headers['content-type']) };
    } catch (err) {
      throw toOperationError(err, url.host, timedOut ? params.timeout_seconds : undefined, ctx.signal.aborted);
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
    }
  },
});

// Reading stops (and the socket closes) at the cap, so a huge or endless body costs no more than the cap.
function readCapped(response: IncomingMessage, maxBytes: number, expectBody: boolean): Promise<Buffer> {
  const tooLarge = () =>
    new OperationError(`Response body exceeds the ${maxBytes}-byte cap (HTTP_MAX_RESPONSE_BYTES)`, { retryable: false });
  // A HEAD response announces the length of a body it never sends.
  if (expectBody && Number(response.headers['content-length'] ?? 0) > maxBytes) {
    response.destroy();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        response.destroy();
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    response.once('end', () => resolve(Buffer.concat(chunks)));
    response.once('error', reject);
    // Safety net: a response cut short must never leave this promise pending.
    response.once('close', () => response.complete || reject(Object.assign(new Error('Response ended early'), { code: 'ECONNRESET' })));
  });
}

function decodeBody(raw: Buffer, contentType: string | undefined): unknown {
  const text = raw.toString('utf8');
  if (contentType !== undefined && /^application\/([\w.+-]+\+)?json\b/i.test(contentType.trim())) {
    try {
      return JSON.parse(text);
    } catch {
      // A server that mislabels its body still has a body worth returning.
    }
  }
  return text;
}

function toOperationError(err: unknown, host: string, timeoutSeconds: number | undefined, cancelled: boolean): OperationError {
  if (err instanceof OperationError) return err;
  if (timeoutSeconds !== undefined) {
    return new OperationError(`Request to ${host} timed out after ${timeoutSeconds} s`, { retryable: true, cause: err });
  }
  // The task is past its deadline or cancelled: a retry could not deliver a result anyone reads.
  if (cancelled) return new OperationError(`Request to ${host} aborted`, { retryable: false, cause: err });
  const code = (err as NodeJS.ErrnoException).code;
  return new OperationError(`Request to ${host} failed: ${code ?? (err as Error).message}`, {
    retryable: code !== undefined && TRANSIENT_CODES.has(code),
    cause: err,
  });
}
