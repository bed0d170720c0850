import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { McpClientLike } from './mcp-client.js';
import { HandleTool } from './handle-tool.js';

/** One operation the server runs as a background task. */
export interface OperationInfo {
  name: string;
  description: string;
  /** The JSON Schema of its parameters (the operation's own tool's inputSchema). */
  inputSchema: Tool['inputSchema'];
  /** Whether it can be started as a native MCP task (its tool declares execution.taskSupport and the server advertises tasks). */
  native: boolean;
}

/** What the server offers, learned once from initialize and tools/list. */
export interface ServerCatalog {
  operations: OperationInfo[];
  /** initiate_background_task and resolve_task_status are there. */
  handleTools: boolean;
  /** The most resolve_task_status's wait_seconds accepts; null when it cannot long-poll. */
  longPollSeconds: number | null;
  /** The server advertises task-augmented tools/call (capabilities.tasks.requests.tools.call). */
  nativeTasks: boolean;
  tools: Tool[];
}

/**
 * Lists the server's tools (every page) and works out its operations: the names
 * initiate_background_task accepts, described by their own tools; on a server without the handle
 * tools, every task-capable tool.
 */
export async function loadServerCatalog(client: McpClientLike): Promise<ServerCatalog> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor ? { cursor } : undefined);
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);

  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const nativeTasks = Boolean(client.getServerCapabilities()?.tasks?.requests?.tools?.call);
  const taskCapable = (tool: Tool | undefined) =>
    nativeTasks && (tool?.execution?.taskSupport === 'optional' || tool?.execution?.taskSupport === 'required');
  const initiate = byName.get(HandleTool.Initiate);
  const resolve = byName.get(HandleTool.Resolve);
  const names = initiate
    ? enumOf(initiate.inputSchema.properties?.operation_type)
    : tools.filter((tool) => taskCapable(tool)).map((tool) => tool.name);

  const operations = names.map((name): OperationInfo => {
    const tool = byName.get(name);
    return {
      name,
      description: tool?.description ?? '',
      inputSchema: tool?.inputSchema ?? { type: 'object' },
      native: taskCapable(tool),
    };
  });
  const waitSeconds = resolve?.inputSchema.properties?.wait_seconds as { maximum?: unknown } | undefined;
  const longPollSeconds = waitSeconds ? (typeof waitSeconds.maximum === 'number' ? waitSeconds.maximum : 20) : null;
  return { operations, handleTools: Boolean(initiate && resolve), longPollSeconds, nativeTasks, tools };
}

function enumOf(schema: unknown): string[] {
  const values = (schema as { enum?: unknown } | undefined)?.enum;
  return Array.isArray(values) ? values.filter((value): value is string => typeof value === 'string') : [];
}
