import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { AsyncTaskClient, RunOptions } from './async-task-client.js';

/**
 * One operation as an agent tool that starts the task and waits for its result in a single call:
 * a plain object any framework's tool wrapper takes (a LangChain `tool()`, a LangGraph ToolNode
 * entry, an OpenAI function, …), so the orchestrator — not the model — owns the polling loop.
 */
export interface AgentTool {
  name: string;
  description: string;
  /** JSON Schema of the arguments (the operation's own tool's inputSchema). */
  inputSchema: Tool['inputSchema'];
  /**
   * Runs the operation to the end and resolves with its result.
   * @throws TaskFailedError, TaskTimedOutError, TaskCancelledError, WaitExhaustedError (each carrying the task's ref), TaskRequestError for bad arguments
   */
  invoke(args: Record<string, unknown>, options?: { signal?: AbortSignal }): Promise<unknown>;
}

/** Which operations to adapt, and how to run them. */
export interface AgentToolOptions {
  /** Only these operations. @default all of them */
  only?: readonly string[];
  /** Put before each tool's name, e.g. `tasks_`. @default '' */
  prefix?: string;
  /** Passed to every run (maxAttempts, longPoll, via, onProgress, …); a call's own signal wins. */
  run?: RunOptions;
}

// The operation tools' descriptions end with how to call them over MCP (task-augmented or not, then
// poll); that advice is wrong for a tool that waits by itself, so it is cut off.
const MCP_CALLING_ADVICE = ' Runs as a background task';

/** The server's operations (from tools/list) as start-and-wait agent tools. */
export async function createAgentTools(client: AsyncTaskClient, options: AgentToolOptions = {}): Promise<AgentTool[]> {
  const operations = await client.operations();
  const wanted = options.only ? operations.filter((op) => options.only!.includes(op.name)) : operations;
  return wanted.map((op) => {
    const cut = op.description.indexOf(MCP_CALLING_ADVICE);
    const summary = (cut >= 0 ? op.description.slice(0, cut) : op.description).trim();
    return {
      name: `${options.prefix ?? ''}${op.name}`,
      description:
        `${summary} Starts the task and waits for its result (it may take minutes); returns the result or fails with the reason.`.trim(),
      inputSchema: op.inputSchema,
      async invoke(args, call = {}) {
        const done = await client.run(op.name, args ?? {}, { ...options.run, signal: call.signal ?? options.run?.signal });
        return done.result;
      },
    };
  });
}
