import { sleep, withRequestSignal } from './abortable.js';
import { nextPollDelay, pollSchedule, type PollSchedule } from './backoff.js';
import {
  AsyncTaskError,
  ClientErrorCode,
  TaskCancelledError,
  TaskFailedError,
  TaskRequestError,
  TaskTimedOutError,
  WaitAbortedError,
  WaitExhaustedError,
} from './errors.js';
import { cancelViaTool, initiateTask, listViaTool, resolveTask, type CancelOutcome, type TaskList } from './handle-path.js';
import { connectMcpClient, type McpClientLike, type McpConnectOptions } from './mcp-client.js';
import { toClientError } from './request-errors.js';
import { awaitNativeResult, cancelNativeTask, createNativeTask, getNativeTask, HOLD_GRACE_MS } from './native-path.js';
import { loadServerCatalog, type OperationInfo, type ServerCatalog } from './server-catalog.js';
import type { TaskPath, TaskProgress, TaskSnapshot, TaskStatus } from './task-snapshot.js';

/** Which path start() takes: `auto` picks native MCP tasks when it can (see AsyncTaskClient). */
export type PathChoice = 'auto' | TaskPath;

/** Settings for every call of one client. */
export interface AsyncTaskClientOptions {
  /** Overrides of the poll schedule. @default DEFAULT_POLL_SCHEDULE (1 s, ×2, cap 30 s, jitter 20 %) */
  schedule?: Partial<PollSchedule>;
  /** Polls one wait() makes at most before it throws WaitExhaustedError. @default 20 */
  maxAttempts?: number;
  /**
   * Long-polling: `true` holds each poll as long as the server allows (resolve_task_status's
   * wait_seconds maximum; 20 s for native tasks), a number caps that in seconds, `false` polls plainly.
   * @default true
   */
  longPoll?: boolean | number;
  /** @default 'auto' */
  via?: PathChoice;
  /** The endpoint, for error messages (set by connect()). */
  url?: string;
  /** Numbers in [0, 1) for jitter. @default Math.random */
  random?: () => number;
  /** Epoch milliseconds. @default Date.now */
  now?: () => number;
}

/** How to start a task. */
export interface StartOptions {
  /** Retrying with the same key and parameters returns the same task (handle path only). */
  idempotencyKey?: string;
  /** The task's time limit on the server, in seconds (handle path only). */
  maxWaitSeconds?: number;
  /** Overrides the client's `via` for this task. */
  via?: PathChoice;
  /** Let initiate_background_task hold the call up to this long for a quick result (handle path only). @default 0 */
  waitSeconds?: number;
  signal?: AbortSignal;
}

/** What each look at a waited-for task reports. */
export interface WaitProgress {
  ref: string;
  via: TaskPath;
  status: TaskStatus;
  progress: TaskProgress | null;
  /** Status requests made so far by this wait. */
  polls: number;
  elapsedMs: number;
  /** When the next poll goes out; null once the task is final. */
  nextPollInMs: number | null;
  snapshot: TaskSnapshot;
}

/** How to wait. */
export interface WaitOptions {
  /** Stops waiting (not the task) with WaitAbortedError. */
  signal?: AbortSignal;
  /** Called after every answer about the task. */
  onProgress?: (progress: WaitProgress) => void;
  /** @default the client's maxAttempts (20) */
  maxAttempts?: number;
  /** @default the client's longPoll (true) */
  longPoll?: boolean | number;
  /** For a bare reference: which path to follow it through. @default the client's `via`; for `auto`, handle when the server has the handle tools, else native */
  via?: PathChoice;
}

/** start() and wait() in one. */
export type RunOptions = StartOptions & WaitOptions;

/** A task that completed. */
export interface CompletedTask<T = unknown> {
  ref: string;
  via: TaskPath;
  result: T;
  /** Status requests wait() made (the start call not included). */
  polls: number;
  elapsedMs: number;
  snapshot: TaskSnapshot;
}

/** A bare reference, or the snapshot start() returned (which also says which path the task is on). */
export type TaskTarget = string | TaskSnapshot;

/**
 * Starts background tasks on an mcp-async-tasks server and waits for them, so no agent writes its
 * own polling loop.
 *
 * Two paths lead to the same task records on this server (a task_ref and an MCP taskId are the same
 * string): the async-handle tools, and native MCP tasks (spec 2025-11-25). start() with `via: 'auto'`
 * takes the native path when the server advertises task-augmented tools/call and the operation's
 * tool declares `execution.taskSupport`, unless the call needs what only initiate_background_task
 * offers (idempotencyKey, maxWaitSeconds); otherwise the handle path. A task is then followed
 * through the path it was started on: tasks/get + tasks/result for native ones, resolve_task_status
 * for handles. A bare reference is followed through the handle tools when the server has them
 * (other servers keep the two namespaces apart).
 */
export class AsyncTaskClient {
  private readonly schedule: PollSchedule;
  private readonly maxAttempts: number;
  private readonly random: () => number;
  private readonly now: () => number;
  private catalogLoad: Promise<ServerCatalog> | undefined;

  /**
   * Connects to the endpoint at `url` (Streamable HTTP) and returns a client that closes the
   * connection on close().
   * @throws ConnectionError when the endpoint is unreachable, refuses the token or is not an MCP endpoint
   */
  static async connect(url: string | URL, options: AsyncTaskClientOptions & McpConnectOptions = {}): Promise<AsyncTaskClient> {
    const { token, headers, clientInfo, fetch, ...clientOptions } = options;
    const client = await connectMcpClient(url, { token, headers, clientInfo, fetch });
    return new AsyncTaskClient(client, { ...clientOptions, url: String(url) }, () => client.close());
  }

  /**
   * Uses an SDK `Client` that is already connected; close() then leaves it open.
   * @throws RangeError for a bad schedule or maxAttempts < 1
   */
  /** The two ways to run a task, one shape: each call picks a path instead of branching on it. */
  private readonly paths: Record<TaskPath, PathCalls>;

  constructor(
    readonly mcp: McpClientLike,
    private readonly options: AsyncTaskClientOptions = {},
    private readonly closeConnection?: () => Promise<void>,
  ) {
    this.paths = { native: nativePath(mcp), handle: handlePath(mcp) };
    this.schedule = pollSchedule(options.schedule);
    this.maxAttempts = checkAttempts(options.maxAttempts ?? 20);
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** What the server offers (tools/list, once per client; a failed load is retried next time). */
  catalog(): Promise<ServerCatalog> {
    this.catalogLoad ??= loadServerCatalog(this.mcp).catch((error: unknown) => {
      this.catalogLoad = undefined;
      throw this.clientError(error);
    });
    return this.catalogLoad;
  }

  /** The operations the server runs as background tasks, with their parameter schemas. */
  async operations(): Promise<OperationInfo[]> {
    return (await this.catalog()).operations;
  }

  /**
   * Starts a task and returns at once with its first snapshot (keep `ref`; pass the snapshot to wait()).
   * @throws TaskRequestError for the server's refusals (unknown_operation, validation_error, …) or `unsupported` for a path the server lacks
   * @throws ConnectionError when the server cannot be reached or refuses the credentials
   */
  async start(operation: string, parameters: Record<string, unknown> = {}, options: StartOptions = {}): Promise<TaskSnapshot> {
    const path = this.paths[await this.pathForStart(operation, options)];
    return withRequestSignal(options.signal, (signal) => path.start(operation, parameters, options, { url: this.options.url, signal }));
  }

  /**
   * One look at a task, without waiting.
   * @throws TaskRequestError not_found for an unknown, expired or foreign reference
   */
  async status(target: TaskTarget, options: { via?: PathChoice; signal?: AbortSignal } = {}): Promise<TaskSnapshot> {
    const via = await this.pathForTarget(target, options.via);
    return withRequestSignal(options.signal, (signal) => this.observe(refOf(target), via, 0, signal));
  }

  /**
   * Polls until the task is final: returns the result when it completed.
   * @throws TaskFailedError (TaskTimedOutError when it ran past its deadline) or TaskCancelledError, carrying ref, code and message
   * @throws WaitExhaustedError after maxAttempts polls with the task still live; wait(error.ref) resumes
   * @throws WaitAbortedError when `signal` aborts; the task keeps running
   * @throws TaskRequestError not_found for an unknown reference
   */
  async wait<T = unknown>(target: TaskTarget, options: WaitOptions = {}): Promise<CompletedTask<T>> {
    return this.follow<T>(target, options, this.now(), 0);
  }

  /**
   * start() then wait(): on the handle path the start call itself long-polls, so a short task
   * finishes in one request. An abort during that first call loses the reference; call start()
   * and then wait() when the reference must be known before any waiting.
   * @throws everything start() and wait() throw
   */
  async run<T = unknown>(operation: string, parameters: Record<string, unknown> = {}, options: RunOptions = {}): Promise<CompletedTask<T>> {
    const startedAt = this.now();
    const via = await this.pathForStart(operation, options);
    const hold = via === 'handle' ? await this.holdSeconds('handle', options.longPoll) : 0;
    let handle: TaskSnapshot;
    try {
      handle = await this.start(operation, parameters, { ...options, via, waitSeconds: options.waitSeconds ?? hold });
    } catch (error) {
      if (options.signal?.aborted) {
        throw new AsyncTaskError(ClientErrorCode.Aborted, `stopped before ${operation} was started (or before its reference came back)`, {
          cause: options.signal.reason,
        });
      }
      throw error;
    }
    return this.follow<T>(handle, { ...options, via }, startedAt, this.now() - startedAt);
  }

  /**
   * Cancels a task; a running operation stops at its next heartbeat. Cancelling a final task changes
   * nothing and reports its status.
   * @throws TaskRequestError not_found for an unknown reference
   */
  async cancel(target: TaskTarget, options: { via?: PathChoice; signal?: AbortSignal } = {}): Promise<CancelOutcome> {
    const path = this.paths[await this.pathForTarget(target, options.via)];
    return withRequestSignal(options.signal, (signal) => path.cancel(refOf(target), { url: this.options.url, signal }));
  }

  /**
   * One page of the caller's tasks, newest first (list_tasks).
   * @throws TaskRequestError `unsupported` on a server without list_tasks
   */
  async list(filter: { status?: TaskStatus; limit?: number; cursor?: string } = {}): Promise<TaskList> {
    const catalog = await this.catalog();
    if (!catalog.tools.some((tool) => tool.name === 'list_tasks')) throw unsupported('this server has no list_tasks tool');
    return listViaTool(this.mcp, filter, { url: this.options.url });
  }

  /** Closes the connection if connect() opened it. */
  async close(): Promise<void> {
    await this.closeConnection?.();
  }

  private async follow<T>(target: TaskTarget, options: WaitOptions, startedAt: number, startHeldMs: number): Promise<CompletedTask<T>> {
    const ref = refOf(target);
    const via = await this.pathForTarget(target, options.via);
    const hold = await this.holdSeconds(via, options.longPoll);
    const maxAttempts = checkAttempts(options.maxAttempts ?? this.maxAttempts);
    const { signal, onProgress } = options;
    const aborted = () => new WaitAbortedError(ref, signal?.reason);

    let snapshot = typeof target === 'string' ? undefined : target;
    let heldMs = startHeldMs;
    let polls = 0;
    let intervals = 0;
    let lastFailure: AsyncTaskError | undefined;
    const report = (current: TaskSnapshot, nextPollInMs: number | null) =>
      onProgress?.({
        ref,
        via,
        status: current.status,
        progress: current.progress,
        polls,
        elapsedMs: this.now() - startedAt,
        nextPollInMs,
        snapshot: current,
      });

    for (;;) {
      if (snapshot?.terminal && !lastFailure) {
        report(snapshot, null);
        return this.settle<T>(snapshot, polls, startedAt);
      }
      if (snapshot || lastFailure) {
        if (polls >= maxAttempts) throw new WaitExhaustedError(ref, polls, snapshot?.status ?? 'unknown', { cause: lastFailure });
        const delay = nextPollDelay({
          schedule: this.schedule,
          index: intervals++,
          hintMs: lastFailure ? null : snapshot?.pollAfterMs,
          heldMs,
          random: this.random,
        });
        if (snapshot && !lastFailure) report(snapshot, delay);
        try {
          await sleep(delay, signal);
        } catch {
          throw aborted();
        }
      }
      if (signal?.aborted) throw aborted();
      const sentAt = this.now();
      try {
        snapshot = await withRequestSignal(signal, (requestSignal) => this.observe(ref, via, hold, requestSignal));
        lastFailure = undefined;
      } catch (error) {
        if (signal?.aborted) throw aborted();
        // A blip (network, 5xx, the server's internal_error) costs one poll, not the wait.
        if (!(error instanceof AsyncTaskError) || !error.retryable) throw error;
        lastFailure = error;
      }
      heldMs = this.now() - sentAt;
      polls++;
    }
  }

  private settle<T>(snapshot: TaskSnapshot, polls: number, startedAt: number): CompletedTask<T> {
    const { ref } = snapshot;
    if (snapshot.status === 'completed') {
      return { ref, via: snapshot.via, result: snapshot.result as T, polls, elapsedMs: this.now() - startedAt, snapshot };
    }
    if (snapshot.status === 'cancelled') throw new TaskCancelledError(ref, snapshot.error?.message);
    const info = snapshot.error ?? { code: 'operation_error', message: 'the task failed without a reason', retryable: false };
    throw info.code === 'timeout' ? new TaskTimedOutError(ref, info) : new TaskFailedError(ref, info);
  }

  private observe(ref: string, via: TaskPath, holdSeconds: number, signal: AbortSignal | undefined): Promise<TaskSnapshot> {
    return this.paths[via].observe(ref, holdSeconds, { url: this.options.url, signal });
  }

  /** Seconds each poll may be held: 0 = plain polling. */
  private async holdSeconds(via: TaskPath, option: boolean | number | undefined): Promise<number> {
    const wanted = option ?? this.options.longPoll ?? true;
    if (wanted === false || wanted === 0) return 0;
    const { longPollSeconds } = await this.catalog();
    const allowed = via === 'handle' ? longPollSeconds : (longPollSeconds ?? 20);
    if (allowed === null) return 0;
    return typeof wanted === 'number' ? Math.max(0, Math.min(wanted, allowed)) : allowed;
  }

  private async pathForStart(operation: string, options: StartOptions): Promise<TaskPath> {
    const choice = options.via ?? this.options.via ?? 'auto';
    const catalog = await this.catalog();
    const native = catalog.operations.find((op) => op.name === operation)?.native ?? false;
    const handleOnly = options.idempotencyKey !== undefined || options.maxWaitSeconds !== undefined || Boolean(options.waitSeconds);
    if (choice === 'native') {
      if (!native) throw unsupported(`${operation} cannot start as a native MCP task on this server (no task support advertised for it)`);
      if (handleOnly)
        throw unsupported('idempotencyKey, maxWaitSeconds and waitSeconds exist only on initiate_background_task (via: "handle")');
      return 'native';
    }
    if (choice === 'handle' || !native || handleOnly) {
      if (!catalog.handleTools) {
        throw unsupported(
          native
            ? 'idempotencyKey, maxWaitSeconds and waitSeconds need initiate_background_task, which this server lacks'
            : `this server cannot run ${operation} as a background task`,
        );
      }
      return 'handle';
    }
    return 'native';
  }

  private async pathForTarget(target: TaskTarget, override: PathChoice | undefined): Promise<TaskPath> {
    if (typeof target !== 'string') return target.via;
    const choice = override ?? this.options.via ?? 'auto';
    if (choice !== 'auto') return choice;
    const catalog = await this.catalog();
    if (catalog.handleTools) return 'handle';
    if (catalog.nativeTasks) return 'native';
    throw unsupported('this server offers neither the async-handle tools nor MCP tasks');
  }

  private clientError(error: unknown): Error {
    return toClientError(error, { url: this.options.url });
  }
}

function refOf(target: TaskTarget): string {
  return typeof target === 'string' ? target : target.ref;
}

function checkAttempts(value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`maxAttempts must be a whole number ≥ 1, not ${value}`);
  return value;
}

function unsupported(message: string): TaskRequestError {
  return new TaskRequestError({ code: ClientErrorCode.Unsupported, message, retryable: false });
}

/** A request's context: the server's URL (for messages) and the caller's abort signal. */
type CallContext = { url?: string; signal?: AbortSignal };

/** What the client does on one path (native MCP tasks, or the async-handle tools). */
interface PathCalls {
  start(operation: string, parameters: Record<string, unknown>, options: StartOptions, context: CallContext): Promise<TaskSnapshot>;
  /** One look at the task, held up to `holdSeconds` for it to finish (0: a plain read). */
  observe(ref: string, holdSeconds: number, context: CallContext): Promise<TaskSnapshot>;
  cancel(ref: string, context: CallContext): Promise<CancelOutcome>;
}

function nativePath(mcp: McpClientLike): PathCalls {
  return {
    start: (operation, parameters, _options, context) => createNativeTask(mcp, operation, parameters, context),
    observe: (ref, holdSeconds, context) =>
      holdSeconds > 0 ? awaitNativeResult(mcp, ref, holdSeconds, context) : getNativeTask(mcp, ref, context),
    cancel: (ref, context) => cancelNativeTask(mcp, ref, context),
  };
}

function handlePath(mcp: McpClientLike): PathCalls {
  // A held call may outlive the server's own hold by HOLD_GRACE_MS before the SDK gives up on it.
  const held = (context: CallContext, seconds: number) => (seconds > 0 ? { ...context, timeout: seconds * 1000 + HOLD_GRACE_MS } : context);
  return {
    start: (operation, parameters, options, context) =>
      initiateTask(
        mcp,
        {
          operation,
          parameters,
          idempotencyKey: options.idempotencyKey,
          maxWaitSeconds: options.maxWaitSeconds,
          waitSeconds: options.waitSeconds,
        },
        held(context, options.waitSeconds ?? 0),
      ),
    observe: (ref, holdSeconds, context) => resolveTask(mcp, ref, holdSeconds, held(context, holdSeconds)),
    cancel: (ref, context) => cancelViaTool(mcp, ref, context),
  };
}
