import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { toApiGatewayEvent } from './api-gateway-event.js';

/** The api Lambda's shape: an API Gateway payload 2.0 event in, a result out. */
export type ApiGatewayHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** A local HTTP server that plays API Gateway in front of the api handler. */
export interface LocalHttpServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves `handler` on host:port the way API Gateway would invoke it. The body is read only up to
 * `maxBodyBytes + 1` so a huge upload costs no memory; the handler then answers 413 by itself.
 * @throws the listen error (EADDRINUSE, EACCES) so the caller can name it.
 */
export async function startHttpServer(
  handler: ApiGatewayHandler,
  options: { host: string; port: number; maxBodyBytes: number },
): Promise<LocalHttpServer> {
  const server = createServer((req, res) => {
    void serve(handler, req, res, options.maxBodyBytes);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(options.port, options.host);
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error))]);
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(handler: ApiGatewayHandler, req: IncomingMessage, res: ServerResponse, maxBodyBytes: number): Promise<void> {
  try {
    const body = await readCapped(req, maxBodyBytes + 1);
    const result = await handler(toEvent(req, body));
    const headers: Record<string, string | string[]> = { ...(result.headers as Record<string, string>) };
    if (result.cookies?.length) headers['set-cookie'] = result.cookies;
    res.writeHead(result.statusCode ?? 200, headers);
    res.end(result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'));
  } catch {
    // The handler never throws; this is a broken connection. Nothing useful can be sent.
    if (!res.headersSent) res.writeHead(500).end();
  }
}

/** Reads at most `limit` bytes of the body, then stops reading (the rest is drained unread). */
async function readCapped(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (size >= limit) continue;
    chunks.push(chunk.subarray(0, limit - size));
    size += Math.min(chunk.length, limit - size);
  }
  return Buffer.concat(chunks);
}

function toEvent(req: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return toApiGatewayEvent({ method: req.method ?? 'GET', url: req.url ?? '/', headers, body, sourceIp: req.socket.remoteAddress ?? '' });
}
