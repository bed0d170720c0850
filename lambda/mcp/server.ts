import type { Log } from '../shared/log.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode as McpErrorCode,
  GetTaskPayloadRequestSchema,
  ListTasksRequestSchema,
  ListToolsRequestSchema,
  McpError,
  RELATED_TASK_META_KEY,
  type CallToolResult,
  type CreateTaskResult,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import type { Config } from '../shared/config.js';
import { isTerminal, type TaskRecord } from '../tasks/task.js';
import type { TaskService } from '../tasks/task-service-types.js';
import { operationResult } from './operation-tools.js';
import { ParamsCheckingServer } from './params-checking-server.js';
import { PrincipalTaskStore } from './task-store-adapter.js';
import { toolCatalog } from './tool-catalog.js';
import { toMcpError } from './mcp-error.js';
import type { ToolContext } from './tool-spec.js';

/** What one request's server needs. */
export interface McpServerDeps {
  service: TaskService;
  /** The authenticated caller; every task the server touches is scoped to it. */
  principal: string;
  config: Config;
  logger?: Log;
  /**
   * Validates JSON Schemas for the SDK; building one costs far more than a whole server, so share it.
   * @default one AjvJsonSchemaValidator per process
   */
  jsonSchemaValidator?: jsonSchemaValidator;
}

let ajv: AjvJsonSchemaValidator | undefined;

/**
 * Shared by every per-request server: building an AJV instance costs several times a whole server
 * (docs/DECISIONS.md). Built on the first schema it is asked to check, once per process — never, for
 * the requests this server answers (only elicitation asks), so the cold start does not pay for it.
 */
const sharedValidator: jsonSchemaValidator = {
  getValidator(schema) {
    ajv ??= new AjvJsonSchemaValidator();
    return ajv.getValidator(schema);
  },
};

const INSTRUCTIONS =
  'Slow operations run as background tasks. Start one with initiate_background_task (or the operation’s own tool) and ' +
  'keep the task_ref; then call resolve_task_status with wait_seconds until status is completed, failed or cancelled. ' +
  'Clients that support MCP tasks can call an operation’s own tool task-augmented and use tasks/get and tasks/result.';

/**
 * A fresh MCP server for one stateless request, bound to one caller: the async-handle tools, each
 * operation as a task-capable tool, and native MCP tasks (spec 2025-11-25) answered from the task
 * table through a caller-scoped TaskStore.
 */
export function createMcpServer(deps: McpServerDeps): Server {
  const { service, principal, config, logger } = deps;
  const catalog = toolCatalog(service.operations, config);
  const taskStore = new PrincipalTaskStore(service, principal, logger);
  const server = new ParamsCheckingServer(
    { name: config.server.name, version: config.server.version },
    {
      capabilities: { tools: {}, tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } },
      taskStore,
      jsonSchemaValidator: deps.jsonSchemaValidator ?? sharedValidator,
      instructions: INSTRUCTIONS,
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [...catalog.definitions] }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult | CreateTaskResult> => {
    const { name, arguments: args, task } = request.params;
    const spec = catalog.tools.get(name);
    if (!spec) throw new McpError(McpErrorCode.InvalidParams, `Unknown tool: ${name}`);
    const ctx: ToolContext = { service, principal, config, logger, signal: extra.signal };
    if (task === undefined) return spec.call(args, ctx);
    if (!spec.createTask) {
      throw new McpError(McpErrorCode.MethodNotFound, `Tool ${name} cannot run as a task (execution.taskSupport is forbidden)`);
    }
    try {
      return await spec.createTask(args, ctx);
    } catch (error) {
      throw toMcpError(error, logger);
    }
  });

  // The SDK's own tasks/result polls the store until the task is final, with no limit; API Gateway
  // cuts a request at 30 s, so wait at most the configured time and then tell the client to poll.
  const resultWaitSeconds = config.api.taskResultWaitSeconds;
  server.setRequestHandler(GetTaskPayloadRequestSchema, async (request, extra) => {
    const { taskId } = request.params;
    let record: TaskRecord;
    try {
      record = await service.waitForTerminal(principal, taskId, resultWaitSeconds * 1000, extra.signal);
    } catch (error) {
      throw toMcpError(error, logger);
    }
    if (!isTerminal(record.status)) {
      const pollInterval = service.pollAfterMs(record);
      throw new McpError(
        McpErrorCode.RequestTimeout,
        `Task ${taskId} is still working after ${resultWaitSeconds} s; keep polling tasks/get and call tasks/result again once its status is completed, failed or cancelled.`,
        { taskId, status: 'working', pollInterval },
      );
    }
    const result = operationResult(record, service);
    return { ...result, _meta: { ...result._meta, [RELATED_TASK_META_KEY]: { taskId } } };
  });

  // The SDK's own tasks/list answers every failure, ours included, as -32602 "Failed to list tasks:
  // …" without the error's data; the store's errors are already the right JSON-RPC errors.
  server.setRequestHandler(ListTasksRequestSchema, (request) => taskStore.listTasks(request.params?.cursor));

  return server;
}
