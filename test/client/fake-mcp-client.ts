import { ErrorCode as McpErrorCode, McpError, type CallToolResult, type Task, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { McpClientLike } from '../../client/mcp-client.js';

/** What the fake server answers to one status poll (either path). */
export interface ScriptedAnswer {
  status: 'pending' | 'processing' | 'completed' | 'failed' | 'cancelled';
  pollAfterMs?: number | null;
  progress?: { percent: number; message?: string } | null;
  result?: unknown;
  error?: { code: string; message: string; retryable: boolean } | null;
  /** Throw this instead of answering (as the SDK does for network and JSON-RPC errors). */
  fail?: unknown;
  /** Refuse the request the way the server's tools do: an isError result carrying `{ error }`. */
  refuse?: { code: string; message: string; retryable: boolean };
}

/** One request the fake received, stamped with the (fake) clock when it arrived. */
export interface RecordedCall {
  at: number;
  method: string;
  args: Record<string, unknown>;
}

/** How the fake server behaves. */
export interface FakeServerOptions {
  /** Answers to successive polls; the last one repeats. */
  answers: ScriptedAnswer[];
  /** resolve_task_status accepts wait_seconds up to this (absent: no long polling). */
  longPollSeconds?: number;
  /** The server advertises MCP tasks and `delay` declares taskSupport. */
  native?: boolean;
  /** A long poll is held this long before answering a live status. @default the requested wait */
  holdMs?: number;
}

const REF = 'ref-1';

/**
 * A stand-in in the shape of the SDK Client, answering from a script and recording when each
 * request arrived; it exists to pin the poll schedule under fake timers, which a real server
 * cannot do. Long polls are held with the (fake) global timer and end early when their signal aborts.
 */
export function fakeMcpClient(options: FakeServerOptions) {
  const calls: RecordedCall[] = [];
  let polls = 0;
  const next = (): ScriptedAnswer => options.answers[Math.min(polls++, options.answers.length - 1)]!;
  const live = (status: string) => status === 'pending' || status === 'processing';

  const hold = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new McpError(McpErrorCode.RequestTimeout, String(signal.reason)));
      });
    });

  const statusView = (answer: ScriptedAnswer) => ({
    task_ref: REF,
    status: answer.status,
    operation_type: 'delay',
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    started_at: null,
    finished_at: null,
    attempt: 1,
    progress: answer.progress ?? null,
    result: answer.status === 'completed' ? (answer.result ?? null) : null,
    error: answer.error ?? null,
    poll_after_ms: live(answer.status) ? (answer.pollAfterMs === undefined ? 1000 : answer.pollAfterMs) : null,
    expires_at: '2026-01-02T00:00:00.000Z',
  });
  const reply = (value: object): CallToolResult => ({
    content: [{ type: 'text', text: JSON.stringify(value) }],
    structuredContent: value as Record<string, unknown>,
  });
  const mcpTask = (answer: ScriptedAnswer): Task => ({
    taskId: REF,
    status: live(answer.status) ? 'working' : (answer.status as Task['status']),
    ttl: 86_400_000,
    createdAt: '2026-01-01T00:00:00.000Z',
    lastUpdatedAt: '2026-01-01T00:00:00.000Z',
    ...(live(answer.status) && answer.pollAfterMs != null && { pollInterval: answer.pollAfterMs }),
    ...(answer.progress?.message && { statusMessage: answer.progress.message }),
  });
  const taskResult = (answer: ScriptedAnswer): CallToolResult => ({
    ...reply({
      task_ref: REF,
      status: answer.status,
      created_at: '2026-01-01T00:00:00.000Z',
      poll_after_ms: null,
      result: answer.result ?? null,
      error: answer.error ?? null,
    }),
    ...(answer.status !== 'completed' && { isError: true }),
  });

  const tools: Tool[] = [
    {
      name: 'initiate_background_task',
      inputSchema: { type: 'object', properties: { operation_type: { type: 'string', enum: ['delay'] }, parameters: { type: 'object' } } },
    },
    {
      name: 'resolve_task_status',
      inputSchema: {
        type: 'object',
        properties: {
          task_ref: { type: 'string' },
          ...(options.longPollSeconds !== undefined && { wait_seconds: { type: 'number', minimum: 0, maximum: options.longPollSeconds } }),
        },
      },
    },
    { name: 'cancel_task', inputSchema: { type: 'object', properties: { task_ref: { type: 'string' } } } },
    { name: 'list_tasks', inputSchema: { type: 'object' } },
    {
      name: 'delay',
      description: 'Waits `seconds`, then returns { echo }. Runs as a background task: call it task-augmented to get a task at once.',
      inputSchema: { type: 'object', properties: { seconds: { type: 'number' } }, required: ['seconds'] },
      ...(options.native && { execution: { taskSupport: 'optional' as const } }),
    },
  ];

  const record = (method: string, args: Record<string, unknown> = {}) => calls.push({ at: Date.now(), method, args });

  const client = {
    getServerCapabilities: () => (options.native ? { tools: {}, tasks: { requests: { tools: { call: {} } } } } : { tools: {} }),
    async listTools() {
      record('tools/list');
      return { tools };
    },
    async callTool(
      params: { name: string; arguments?: Record<string, unknown> },
      _schema?: unknown,
      requestOptions?: { signal?: AbortSignal },
    ) {
      const args = params.arguments ?? {};
      record(params.name, args);
      if (params.name === 'initiate_background_task') {
        // Held like the real server: with wait_seconds the first answer may already be final.
        const answer =
          typeof args.wait_seconds === 'number' && args.wait_seconds > 0 ? next() : { status: 'pending' as const, pollAfterMs: 1000 };
        if (live(answer.status))
          await hold(options.holdMs ?? ((args.wait_seconds as number | undefined) ?? 0) * 1000, requestOptions?.signal);
        const view = statusView(answer);
        return reply({
          task_ref: REF,
          status: view.status,
          created_at: view.created_at,
          poll_after_ms: view.poll_after_ms,
          ...(!live(answer.status) && { result: view.result, error: view.error }),
        });
      }
      if (params.name === 'resolve_task_status') {
        const answer = next();
        if (answer.fail) throw answer.fail;
        if (answer.refuse) return { content: [{ type: 'text', text: JSON.stringify({ error: answer.refuse }) }], isError: true };
        const waitMs = typeof args.wait_seconds === 'number' ? args.wait_seconds * 1000 : 0;
        if (waitMs > 0 && live(answer.status)) await hold(options.holdMs ?? waitMs, requestOptions?.signal);
        return reply(statusView(answer));
      }
      if (params.name === 'cancel_task') return reply({ task_ref: REF, status: 'cancelled', message: 'Cancelled.' });
      throw new McpError(McpErrorCode.InvalidParams, `Unknown tool: ${params.name}`);
    },
    async request(request: { method: string; params?: Record<string, unknown> }, _schema: unknown, requestOptions?: { task?: object }) {
      record(request.method, { ...(request.params ?? {}), task: requestOptions?.task });
      return { task: mcpTask({ status: 'pending', pollAfterMs: 1000 }) };
    },
    experimental: {
      tasks: {
        async getTask(taskId: string) {
          record('tasks/get', { taskId });
          const answer = next();
          if (answer.fail) throw answer.fail;
          lastNative = answer;
          return mcpTask(answer);
        },
        async getTaskResult(taskId: string, _schema?: unknown, requestOptions?: { signal?: AbortSignal; timeout?: number }) {
          record('tasks/result', { taskId, timeout: requestOptions?.timeout });
          // After a terminal tasks/get the answer is that task's; as a long poll it is the next one.
          const answer = lastNative && !live(lastNative.status) ? lastNative : next();
          if (live(answer.status)) {
            await hold(options.holdMs ?? 25_000, requestOptions?.signal);
            throw new McpError(McpErrorCode.RequestTimeout, 'still working', {
              taskId,
              status: 'working',
              pollInterval: answer.pollAfterMs ?? 1000,
            });
          }
          return taskResult(answer);
        },
        async cancelTask(taskId: string) {
          record('tasks/cancel', { taskId });
          return { ...mcpTask({ status: 'cancelled' }) };
        },
      },
    },
  };
  let lastNative: ScriptedAnswer | undefined;

  return {
    client: client as unknown as McpClientLike,
    calls,
    ref: REF,
    /** The times of the requests of one kind. */
    timesOf: (method: string) => calls.filter((call) => call.method === method).map((call) => call.at),
  };
}

/** The gaps between successive times. */
export function gaps(times: readonly number[]): number[] {
  return times.slice(1).map((time, i) => time - times[i]!);
}
