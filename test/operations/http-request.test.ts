import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { httpRequest, type HttpResponse } from '../../lambda/operations/http-request.js';
import { OperationError, type OperationContext } from '../../lambda/operations/operation.js';
import { loadConfig, type Config } from '../../lambda/shared/config.js';
import { rejectionOf } from '../support/rejection.js';

const CAP = 1024;
const allowLoopback = loadConfig({ HTTP_ALLOW_HOSTS: '127.0.0.1', HTTP_MAX_RESPONSE_BYTES: String(CAP) });

// Every request the loopback server saw, and whether its connection was closed before a reply.
let seen: { method: string; path: string; headers: IncomingMessage['headers']; body: string }[] = [];
let connections = 0;
let cutShort: string[] = [];
let received: () => void = () => {};

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = req.url ?? '/';
    seen.push({ method: req.method ?? '', path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.once('close', () => res.writableFinished || cutShort.push(path));
    received();

    const status = /^\/status\/(\d+)$/.exec(path)?.[1];
    if (status) {
      res.writeHead(Number(status), { 'content-type': 'text/plain' }).end(`status ${status}`);
    } else if (path === '/json') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end('{"hello":"world","n":[1,2]}');
    } else if (path === '/echo') {
      res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ method: req.method, contentType: req.headers['content-type'], received: seen.at(-1)!.body }));
    } else if (path === '/text') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('just text');
    } else if (path === '/bad-json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{not json');
    } else if (path === '/redirect') {
      res.writeHead(302, { location: '/json' }).end();
    } else if (path === '/big') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': CAP + 1 }).end('x'.repeat(CAP + 1));
    } else if (path === '/endless') {
      // No content-length: only counting bytes as they arrive can stop this one.
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('y'.repeat(256)), 5);
      res.once('close', () => clearInterval(timer));
    } else if (path === '/slow') {
      res.writeHead(200, { 'content-type': 'text/plain' }); // headers flush only with the first body byte
    } else {
      res.writeHead(500).end();
    }
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  connections = 0;
  cutShort = [];
});

function context(config: Config = allowLoopback, signal = new AbortController().signal) {
  const progress: number[] = [];
  const ctx: OperationContext = {
    taskId: 'AAAAAAAAAAAAAAAAAAAAAA',
    signal,
    deadlineAt: Date.now() + 60_000,
    attempt: 1,
    config,
    reportProgress: (percent) => progress.push(percent),
  };
  return { ctx, progress };
}

function run(params: Record<string, unknown>, ctx = context().ctx): Promise<HttpResponse> {
  return httpRequest.execute(httpRequest.input.parse(params), ctx) as Promise<HttpResponse>;
}

const failure = (promise: Promise<unknown>) => rejectionOf(promise, OperationError);

function nextRequest(): Promise<void> {
  return new Promise((resolve) => (received = resolve));
}

async function eventually(check: () => void): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      return check();
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

describe('Operation: http_request', () => {
  describe('input', () => {
    it('applies the defaults', () => {
      const params = httpRequest.input.parse({ url: 'https://example.com/' });

      expect(params).toMatchObject({ method: 'GET', retry_on_status: [429, 502, 503, 504] });
      expect(params.timeout_seconds).toBeUndefined();
    });

    it.each([
      { url: 'ftp://example.com/file' },
      { url: 'file:///etc/passwd' },
      { url: 'not a url' },
      { url: 'https://example.com/', method: 'TRACE' },
      { url: 'https://example.com/', timeout_seconds: 0 },
      { url: 'https://example.com/', timeout_seconds: 901 },
      { url: 'https://example.com/', headers: { 'x-n': 1 } },
    ])('rejects %j', (params) => {
      expect(httpRequest.input.safeParse(params).success).toBe(false);
    });

    it('describes every field in the JSON schema the MCP tool advertises', () => {
      const schema = z.toJSONSchema(httpRequest.input, { io: 'input' }) as { properties: Record<string, { description?: string }> };

      expect(Object.keys(schema.properties).sort()).toEqual(['body', 'headers', 'method', 'retry_on_status', 'timeout_seconds', 'url']);
      for (const [name, field] of Object.entries(schema.properties)) expect(field.description, name).toBeTruthy();
    });

    it('declares its timeout and retry policy', () => {
      expect(httpRequest).toMatchObject({
        name: 'http_request',
        defaultTimeoutSeconds: 30,
        retry: { maxAttempts: 3, baseDelaySeconds: 2 },
      });
    });
  });

  describe('against an allow-listed loopback server', () => {
    it('parses a JSON response and reports progress', async () => {
      const { ctx, progress } = context();

      const result = await run({ url: `${base}/json` }, ctx);

      expect(result).toMatchObject({ status: 200, body: { hello: 'world', n: [1, 2] } });
      expect(result.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(progress).toEqual([10, 50, 100]);
    });

    it('sends a JSON body as JSON with its content type', async () => {
      const result = await run({ method: 'POST', url: `${base}/echo`, body: { a: 1, b: [true, null] } });

      expect(result).toMatchObject({
        status: 201,
        body: { method: 'POST', contentType: 'application/json', received: '{"a":1,"b":[true,null]}' },
      });
    });

    it('sends a string body as-is and keeps a caller-set content type', async () => {
      const result = await run({
        method: 'PUT',
        url: `${base}/echo`,
        headers: { 'Content-Type': 'text/csv' },
        body: 'a,b\n1,2',
      });

      expect(result.body).toEqual({ method: 'PUT', contentType: 'text/csv', received: 'a,b\n1,2' });
    });

    it('returns a text body as text', async () => {
      await expect(run({ url: `${base}/text` })).resolves.toMatchObject({ status: 200, body: 'just text' });
    });

    it('falls back to text when a JSON-labelled body does not parse', async () => {
      await expect(run({ url: `${base}/bad-json` })).resolves.toMatchObject({ body: '{not json' });
    });

    it('fails a status in retry_on_status as retryable, naming the status', async () => {
      const err = await failure(run({ url: `${base}/status/503`, headers: { authorization: 'Bearer s3cret' } }));

      expect(err.retryable).toBe(true);
      expect(err.message).toContain('503');
      expect(err.message).not.toContain('s3cret');
    });

    it('fails a malformed header without echoing its value', async () => {
      const err = await failure(run({ url: `${base}/json`, headers: { authorization: 'Bearer s3cret\r\nx-injected: 1' } }));

      expect(err.retryable).toBe(false);
      expect(err.message).not.toContain('s3cret');
      expect(seen).toEqual([]);
    });

    it('returns any other status as a normal result', async () => {
      await expect(run({ url: `${base}/status/404` })).resolves.toMatchObject({ status: 404, body: 'status 404' });
      await expect(run({ url: `${base}/status/503`, retry_on_status: [] })).resolves.toMatchObject({ status: 503 });
    });

    it('returns a redirect instead of following it', async () => {
      const result = await run({ url: `${base}/redirect` });

      expect(result).toMatchObject({ status: 302, headers: { location: '/json' } });
      expect(seen.map((r) => r.path)).toEqual(['/redirect']);
    });

    it('fails a body over the cap before reading it when the length is announced', async () => {
      const err = await failure(run({ url: `${base}/big` }));

      expect(err.retryable).toBe(false);
      expect(err.message).toContain(`${CAP}-byte cap`);
    });

    it('stops reading an endless body at the cap and closes the connection', async () => {
      const err = await failure(run({ url: `${base}/endless` }));

      expect(err.retryable).toBe(false);
      expect(err.message).toContain(`${CAP}-byte cap`);
      await eventually(() => expect(cutShort).toEqual(['/endless']));
    });

    it('does not apply the cap to a HEAD response announcing a large body', async () => {
      await expect(run({ method: 'HEAD', url: `${base}/big` })).resolves.toMatchObject({ status: 200, body: '' });
    });

    it('stops the request when the signal aborts, as not retryable', async () => {
      const abort = new AbortController();
      const arrived = nextRequest();
      const pending = failure(run({ url: `${base}/slow` }, context(allowLoopback, abort.signal).ctx));

      await arrived;
      abort.abort(new Error('task cancelled'));
      const err = await pending;

      expect(err.retryable).toBe(false);
      expect(err.message).toContain('aborted');
      await eventually(() => expect(cutShort).toEqual(['/slow']));
    });

    it('does not start at all when the signal has already aborted', async () => {
      const err = await failure(run({ url: `${base}/json` }, context(allowLoopback, AbortSignal.abort()).ctx));

      expect(err.retryable).toBe(false);
      expect(connections).toBe(0);
    });

    it('fails a request past timeout_seconds as retryable', async () => {
      const err = await failure(run({ url: `${base}/slow`, timeout_seconds: 1 }));

      expect(err.retryable).toBe(true);
      expect(err.message).toContain('timed out after 1 s');
      await eventually(() => expect(cutShort).toEqual(['/slow']));
    });

    it('reaches an allow-listed name through the guarded lookup', async () => {
      const byName = loadConfig({ HTTP_ALLOW_HOSTS: 'localhost' });

      const result = await run({ url: `${base.replace('127.0.0.1', 'localhost')}/json` }, context(byName).ctx);

      expect(result.status).toBe(200);
    });

    it('fails a refused connection as retryable', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));

      const err = await failure(run({ url: `http://127.0.0.1:${port}/` }));

      expect(err.retryable).toBe(true);
      expect(err.message).toContain('ECONNREFUSED');
    });
  });

  describe('without an allow-list', () => {
    const locked = loadConfig({});

    it('refuses a loopback IP literal before connecting', async () => {
      const err = await failure(run({ url: `${base}/json` }, context(locked).ctx));

      expect(err.retryable).toBe(false);
      expect(err.message).toContain('loopback');
      expect(connections).toBe(0);
      expect(seen).toEqual([]);
    });

    it('refuses a name resolving to loopback before connecting', async () => {
      const err = await failure(run({ url: `${base.replace('127.0.0.1', 'localhost')}/json` }, context(locked).ctx));

      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(/localhost \(resolves to .*\): loopback/);
      expect(connections).toBe(0);
    });
  });
});
