import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { toClientError } from './request-errors.js';

/**
 * The part of the SDK's `Client` this package uses. A connected `Client` satisfies it as is; tests
 * may pass a stand-in of the same shape.
 */
export type McpClientLike = Pick<Client, 'callTool' | 'listTools' | 'getServerCapabilities' | 'request'> & {
  experimental: { tasks: Pick<Client['experimental']['tasks'], 'getTask' | 'getTaskResult' | 'cancelTask'> };
};

/** How to reach an MCP endpoint over Streamable HTTP. */
export interface McpConnectOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Extra HTTP headers on every request. */
  headers?: Record<string, string>;
  /** How this client introduces itself. @default { name: 'mcp-async-tasks-client', version: '0.1.0' } */
  clientInfo?: { name: string; version: string };
  /** The fetch to use (tests count requests through it). @default globalThis.fetch */
  fetch?: FetchLike;
}

/**
 * An initialized SDK `Client` on the endpoint at `url`.
 * @throws ConnectionError when the endpoint is unreachable, refuses the token or is not an MCP endpoint
 * @throws TypeError when `url` is not a URL
 */
export async function connectMcpClient(url: string | URL, options: McpConnectOptions = {}): Promise<Client> {
  const endpoint = new URL(url);
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const transport = new StreamableHTTPClientTransport(endpoint, {
    requestInit: { headers },
    ...(options.fetch && { fetch: options.fetch }),
  });
  const client = new Client(options.clientInfo ?? { name: 'mcp-async-tasks-client', version: '0.1.0' });
  try {
    await client.connect(transport);
  } catch (error) {
    await client.close().catch(() => {});
    throw toClientError(error, { url: endpoint.href });
  }
  return client;
}
