import type { Log } from '../shared/log.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { bodyByteLength, toApiGatewayResult, toWebRequest } from '../http/api-gateway.js';
import { readJsonRpcBody } from '../http/json-rpc-body.js';
import { JsonRpcCode, jsonRpcErrorResult } from '../http/json-rpc-error.js';
import { checkOrigin, type OriginPolicy } from '../http/origin-guard.js';
import { resolvePrincipal } from '../http/principal.js';
import { createMcpServer } from '../mcp/server.js';
import type { Config } from '../shared/config.js';
import type { TaskTelemetry } from '../shared/telemetry.js';
import { ErrorCode } from '../tasks/task-error.js';
import type { TaskService } from '../tasks/task-service-types.js';
import { lambdaRuntime } from './runtime.js';

/** What the api handler is built from; everything past `service` is for runs off AWS or for tests. */
export interface ApiHandlerDeps extends OriginPolicy {
  config: Config;
  service: TaskService;
  logger?: Log;
  /** Bearer token → principal for local runs (`parseAuthTokens(process.env.MCP_AUTH_TOKENS)`); a token is then required. */
  authTokens?: ReadonlyMap<string, string>;
  /**
   * Without a token map, callers from a loopback address act as the single principal `local`.
   * @default false — on AWS only the API Gateway authorizer identifies callers
   */
  loopbackPrincipal?: boolean;
  /** The MCP endpoint's path. @default '/mcp' */
  path?: string;
  /** Shared JSON Schema validator for the per-request servers. @default one per process */
  jsonSchemaValidator?: jsonSchemaValidator;
  /** Told each tools/call and tasks/* response's size (the agent's tokens). @default none */
  telemetry?: Pick<TaskTelemetry, 'toolResponse'>;
}

/** The api Lambda: an API Gateway HTTP API (payload 2.0) event in, a result out. */
export type ApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Builds the api Lambda's handler: POST /mcp is stateless Streamable HTTP (JSON responses) served by
 * a fresh MCP server and transport per request; everything else is refused with a JSON-RPC-shaped
 * error (404 path, 403 host/origin, 405 method, 401 caller, 413 body size, 400 for JSON that is not
 * one JSON-RPC message). Never throws: an unexpected failure is logged and answered 500 without
 * details.
 */
export function createApiHandler(deps: ApiHandlerDeps): ApiHandler {
  const { config, logger } = deps;
  const mcpPath = deps.path ?? '/mcp';
  const principalOptions = {
    authDisabled: config.api.authDisabled,
    authTokens: deps.authTokens,
    loopbackPrincipal: deps.loopbackPrincipal ?? false,
  };

  async function handle(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
    const path = event.rawPath.length > 1 ? event.rawPath.replace(/\/+$/, '') : event.rawPath;
    if (path !== mcpPath) {
      return jsonRpcErrorResult(404, JsonRpcCode.ServerError, `Not found: ${path}; the MCP endpoint is POST ${mcpPath}`);
    }
    const origin = checkOrigin(event.headers ?? {}, deps);
    if (!origin.ok) return jsonRpcErrorResult(403, JsonRpcCode.ServerError, origin.message);

    const method = event.requestContext.http.method.toUpperCase();
    if (method !== 'POST') {
      return jsonRpcErrorResult(
        405,
        JsonRpcCode.ServerError,
        `Method ${method} not allowed: this stateless server answers POST only (no SSE stream, no sessions)`,
        { headers: { allow: 'POST' } },
      );
    }

    const caller = resolvePrincipal(event, principalOptions);
    if (!caller.ok) {
      const invalid = caller.reason === 'invalid_token';
      return jsonRpcErrorResult(
        401,
        JsonRpcCode.ServerError,
        invalid ? 'Unauthorized: the bearer token is not valid' : 'Unauthorized: send Authorization: Bearer <token>',
        { headers: { 'www-authenticate': invalid ? 'Bearer error="invalid_token"' : 'Bearer' }, errorCode: ErrorCode.Unauthorized },
      );
    }

    const size = bodyByteLength(event);
    if (size > config.api.maxBodyBytes) {
      return jsonRpcErrorResult(
        413,
        JsonRpcCode.ServerError,
        `Payload too large: the request body is ${size} bytes; the limit is ${config.api.maxBodyBytes} bytes`,
        { errorCode: ErrorCode.PayloadTooLarge },
      );
    }

    const body = readJsonRpcBody(event);
    if (!body.ok) return jsonRpcErrorResult(400, JsonRpcCode.InvalidRequest, body.message);

    const server = createMcpServer({
      service: deps.service,
      principal: caller.principal,
      config,
      logger,
      jsonSchemaValidator: deps.jsonSchemaValidator,
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: config.api.maxBodyBytes,
    });
    // Parse errors and refused headers are the caller's mistakes, answered by the transport itself.
    server.onerror = (error) => logger?.debug('mcp transport refused a request', { error: error.message });
    try {
      await server.connect(transport);
      const response = await transport.handleRequest(toWebRequest(event, { body: false }), { parsedBody: body.parsedBody });
      const result = await toApiGatewayResult(response);
      const tool = agentCallName(body.parsedBody);
      if (tool && deps.telemetry)
        deps.telemetry.toolResponse(tool, bodyByteLength({ body: result.body, isBase64Encoded: result.isBase64Encoded === true }));
      return result;
    } finally {
      await server.close();
    }
  }

  return async (event) => {
    try {
      return await handle(event);
    } catch (error) {
      logger?.error('api request failed unexpectedly', { error: error as Error });
      return jsonRpcErrorResult(500, JsonRpcCode.InternalError, 'Internal error', { errorCode: ErrorCode.InternalError });
    }
  };
}

/** The tool a tools/call names, or the tasks/* method: the calls whose responses an agent reads. */
function agentCallName(message: unknown): string | undefined {
  const { method, params } = (message ?? {}) as { method?: unknown; params?: { name?: unknown } };
  if (method === 'tools/call') return typeof params?.name === 'string' ? params.name : undefined;
  return typeof method === 'string' && method.startsWith('tasks/') ? method : undefined;
}

let deployed: ApiHandler | undefined;

/** The api Lambda's entry point: configuration from the environment, AWS itself for state and queue. */
export const handler: ApiHandler = async (event) => {
  let runtime: ReturnType<typeof lambdaRuntime>;
  try {
    runtime = lambdaRuntime();
  } catch (error) {
    // A bad setting: say so in the log, never to the caller; the next invocation tries again.
    console.error(JSON.stringify({ level: 'ERROR', message: 'api handler could not start', error: String(error) }));
    return jsonRpcErrorResult(500, JsonRpcCode.InternalError, 'Internal error', { errorCode: ErrorCode.InternalError });
  }
  const { core, telemetry } = runtime;
  deployed ??= createApiHandler({ config: core.deps.config, service: core.service, logger: core.deps.logger, telemetry });
  try {
    return await deployed(event);
  } finally {
    telemetry.flush();
  }
};
