import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createApiHandler, type ApiHandler, type ApiHandlerDeps } from '../../lambda/handlers/api.js';
import { loadConfig, type Config } from '../../lambda/shared/config.js';
import { createLogger } from '../../lambda/shared/telemetry.js';
import { createCore, type Core } from '../../lambda/tasks/core.js';
import { startEmulators, type Emulators } from '../../local/emulators.js';
import { apiGatewayFetch, fromApiGatewayResult, toApiGatewayEvent, type EventContext } from './mcp-fetch.js';
import { createWorkerHandler } from '../../lambda/handlers/worker.js';
import { startQueuePoller, type QueuePoller } from '../../local/queue-poller.js';

/** The endpoint the test clients believe they talk to; requests never leave the process. */
export const MCP_URL = 'http://127.0.0.1:3000/mcp';

/** Bearer tokens of the two test principals. */
export const TOKENS = { alice: 'token-alice', bob: 'token-bob' } as const;

/** Headers a conforming Streamable HTTP client sends with a POST. */
export const MCP_POST_HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
  'mcp-protocol-version': '2025-11-25',
} as const;

/** The real api handler on embedded DynamoDB and SQS, plus ways to talk to it. */
export interface McpHarness {
  emulators: Emulators;
  config: Config;
  core: Core;
  handler: ApiHandler;
  /** An SDK client, initialized, whose requests go through the handler as API Gateway events. */
  connect(token?: string, context?: EventContext): Promise<Client>;
  /** One raw HTTP request through the handler (for what an SDK client would never send). */
  request(init: {
    method?: string;
    body?: string;
    headers?: Record<string, string>;
    path?: string;
    context?: EventContext;
  }): Promise<Response>;
  /** Starts a worker that runs queued tasks (until stop). */
  startWorker(): void;
  stop(): Promise<void>;
}

/** Starts emulators, the core and the api handler; `env` overrides configuration variables. */
export async function startMcpHarness(
  options: { env?: Record<string, string>; handler?: Partial<ApiHandlerDeps> } = {},
): Promise<McpHarness> {
  const emulators = await startEmulators();
  const config = loadConfig({
    TASK_TABLE: emulators.tableName,
    TASK_QUEUE_URL: emulators.queueUrl,
    LOG_LEVEL: 'SILENT',
    POLL_MAX_WAIT_SECONDS: '3',
    TASK_RESULT_WAIT_SECONDS: '2',
    ...options.env,
  });
  const logger = createLogger(config);
  const core = createCore(config, emulators.clients, { logger });
  const handler = createApiHandler({
    config,
    service: core.service,
    logger,
    authTokens: new Map([
      [TOKENS.alice, 'alice'],
      [TOKENS.bob, 'bob'],
    ]),
    allowedHosts: ['127.0.0.1', 'localhost'],
    ...options.handler,
  });
  const clients: Client[] = [];
  let worker: QueuePoller | undefined;

  return {
    emulators,
    config,
    core,
    handler,
    async connect(token = TOKENS.alice, context = {}) {
      const transport = new StreamableHTTPClientTransport(new URL(MCP_URL), {
        fetch: apiGatewayFetch(handler, context),
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      });
      const client = new Client({ name: 'mcp-async-tasks-test', version: '0.0.0' });
      await client.connect(transport);
      clients.push(client);
      return client;
    },
    async request({ method = 'POST', body, headers = {}, path = '/mcp', context = {} }) {
      const request = new Request(new URL(path, MCP_URL), { method, body, headers });
      return fromApiGatewayResult(await handler(await toApiGatewayEvent(request, context)));
    },
    startWorker() {
      // The local stack's poller in front of the real worker handler: what Lambda's event source does.
      worker ??= startQueuePoller({
        sqs: emulators.clients.sqs,
        queueUrl: emulators.queueUrl,
        handler: createWorkerHandler(core.deps),
        maxConcurrency: config.execution.maxConcurrency,
        logger: core.deps.logger,
      });
    },
    async stop() {
      await Promise.all(clients.map((client) => client.close()));
      await worker?.stop(5_000);
      await emulators.stop();
    },
  };
}

/** The structuredContent of a successful tool result; fails the test with the text otherwise. */
export function structured<T = Record<string, unknown>>(result: CallToolResult | Record<string, unknown>): T {
  const call = result as CallToolResult;
  if (call.isError || !call.structuredContent) throw new Error(`expected a successful tool result, got ${JSON.stringify(call)}`);
  const text = call.content?.[0]?.type === 'text' ? call.content[0].text : undefined;
  if (text !== JSON.stringify(call.structuredContent)) throw new Error('text content differs from structuredContent');
  return call.structuredContent as T;
}

/** The `{ error }` JSON an isError tool result carries in its text. */
export function toolErrorOf(result: CallToolResult | Record<string, unknown>): { code: string; message: string; retryable: boolean } {
  const call = result as CallToolResult;
  if (!call.isError) throw new Error(`expected an error result, got ${JSON.stringify(call)}`);
  const text = call.content?.[0]?.type === 'text' ? call.content[0].text : '';
  return (JSON.parse(text) as { error: { code: string; message: string; retryable: boolean } }).error;
}
