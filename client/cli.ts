import { AsyncTaskClient, type CompletedTask, type WaitProgress } from './async-task-client.js';
import { parseCliArgs, UsageError, USAGE, type CliCommand, type CommonOptions } from './cli-args.js';
import {
  AsyncTaskError,
  ClientErrorCode,
  ConnectionError,
  TaskCancelledError,
  TaskFailedError,
  TaskRequestError,
  TaskTimedOutError,
  WaitAbortedError,
  WaitExhaustedError,
} from './errors.js';
import { formatElapsed, ProgressLine, type ProgressStream } from './progress-line.js';
import type { TaskSnapshot } from './task-snapshot.js';

/** The CLI's exit codes; scripts branch on them. */
export const ExitCode = {
  Ok: 0,
  Failed: 1,
  Usage: 2,
  Cancelled: 3,
  TimedOut: 4,
  StillRunning: 5,
  Unreachable: 6,
  Unauthorized: 7,
  ServerError: 8,
  Interrupted: 130,
} as const;

/** What the CLI runs with: its streams, environment and an interrupt signal. */
export interface CliIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Aborts a wait (Ctrl-C); the task keeps running. */
  signal?: AbortSignal;
}

// Refusals caused by what the user typed: exit 2 like any other usage error.
const BAD_INPUT = new Set([
  'validation_error',
  'unknown_operation',
  'not_found',
  'idempotency_conflict',
  'payload_too_large',
  ClientErrorCode.Unsupported,
]);

/** Runs `mcp-tasks` with the given arguments and returns the exit code; never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCliArgs(argv, io.env);
  } catch (error) {
    return reportError(error, io, argv.includes('--json'));
  }
  if (command.command === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return ExitCode.Ok;
  }
  const { common } = command;
  let client: AsyncTaskClient | undefined;
  try {
    client = await AsyncTaskClient.connect(common.url, {
      token: common.token,
      clientInfo: { name: 'mcp-tasks', version: '0.1.0' },
      via: common.native ? 'native' : 'handle',
      longPoll: common.longPoll,
      ...(common.maxPolls !== undefined && { maxAttempts: common.maxPolls }),
    });
    return await execute(command, client, io);
  } catch (error) {
    return reportError(error, io, common.json);
  } finally {
    await client?.close().catch(() => {});
  }
}

async function execute(command: Exclude<CliCommand, { command: 'help' }>, client: AsyncTaskClient, io: CliIo): Promise<number> {
  const { json } = command.common;
  const out = (value: unknown) => io.stdout.write(`${JSON.stringify(value, null, json ? undefined : 2)}\n`);
  switch (command.command) {
    case 'ops': {
      const operations = await client.operations();
      if (json) {
        out({
          operations: operations.map((op) => ({
            name: op.name,
            description: op.description,
            input_schema: op.inputSchema,
            native: op.native,
          })),
        });
      } else {
        for (const op of operations)
          io.stdout.write(`${op.name}\n  ${firstSentence(op.description)}\n  parameters: ${describeParameters(op.inputSchema)}\n`);
      }
      return ExitCode.Ok;
    }
    case 'start': {
      const startOptions = { idempotencyKey: command.idempotencyKey, maxWaitSeconds: command.maxWaitSeconds };
      // Start without holding the call, so the reference is known (and shown) before any waiting:
      // an interrupted wait can then always say how to resume.
      const handle = await client.start(command.operation, command.parameters, startOptions);
      if (command.wait) {
        return await following(io, command.common, { label: handle.ref, status: handle.status }, (onProgress) =>
          client.wait(handle, { signal: io.signal, onProgress }),
        );
      }
      if (json) out(snapshotJson(handle));
      else {
        io.stdout.write(`${handle.ref}\n`);
        io.stderr.write(`started ${command.operation} as ${handle.ref} (${handle.status}); follow it with: mcp-tasks wait ${handle.ref}\n`);
      }
      return ExitCode.Ok;
    }
    case 'wait':
      return await following(io, command.common, { label: command.ref, status: 'waiting' }, (onProgress) =>
        client.wait(command.ref, { signal: io.signal, onProgress }),
      );
    case 'status': {
      const snapshot = await client.status(command.ref);
      if (json) out(snapshotJson(snapshot));
      else {
        io.stdout.write(
          `${snapshot.ref}: ${snapshot.status}${snapshot.operation ? ` (${snapshot.operation})` : ''}${progressText(snapshot)}\n`,
        );
        if (snapshot.status === 'completed') out(snapshot.result);
        if (snapshot.error) io.stdout.write(`error: ${snapshot.error.code}: ${snapshot.error.message}\n`);
      }
      return ExitCode.Ok;
    }
    case 'cancel': {
      const outcome = await client.cancel(command.ref);
      if (json) out({ task_ref: outcome.ref, status: outcome.status, message: outcome.message });
      else io.stdout.write(`${outcome.ref}: ${outcome.status}${outcome.message ? ` — ${outcome.message}` : ''}\n`);
      return ExitCode.Ok;
    }
    case 'list': {
      const page = await client.list({ status: command.status, limit: command.limit });
      if (json) out({ tasks: page.tasks, next_cursor: page.nextCursor });
      else if (page.tasks.length === 0) io.stderr.write('no tasks\n');
      else {
        for (const task of page.tasks) {
          io.stdout.write(
            `${task.task_ref}  ${task.status.padEnd(10)} ${task.operation_type.padEnd(14)} ${task.created_at}${task.error ? `  ${task.error.code}` : ''}\n`,
          );
        }
        if (page.nextCursor) io.stderr.write('(more tasks: narrow with --status, or raise --limit)\n');
      }
      return ExitCode.Ok;
    }
  }
}

/** Waits with a progress display and prints the outcome. */
async function following(
  io: CliIo,
  common: CommonOptions,
  begin: { label: string; status: string },
  wait: (onProgress: (progress: WaitProgress) => void) => Promise<CompletedTask>,
): Promise<number> {
  // Progress goes to stderr, so stdout keeps only the result; --json scripts get none off a terminal.
  const line = io.stderr.isTTY || !common.json ? new ProgressLine(io.stderr) : undefined;
  line?.begin(begin.label, begin.status);
  let done: CompletedTask;
  try {
    done = await wait((progress) => {
      if (progress.nextPollInMs !== null) line?.update(progress);
    });
  } finally {
    line?.stop();
  }
  if (common.json) {
    io.stdout.write(
      `${JSON.stringify({ task_ref: done.ref, via: done.via, status: 'completed', result: done.result, polls: done.polls, elapsed_ms: done.elapsedMs })}\n`,
    );
  } else {
    io.stdout.write(`${typeof done.result === 'string' ? done.result : JSON.stringify(done.result, null, 2)}\n`);
    const polls = done.polls === 0 ? '' : ` (${done.polls} ${done.polls === 1 ? 'poll' : 'polls'})`;
    io.stderr.write(`${done.ref}: completed in ${formatElapsed(done.elapsedMs)}${polls}\n`);
  }
  return ExitCode.Ok;
}

/** One line on stderr (and, with --json, a JSON error on stdout); never a stack trace. */
function reportError(error: unknown, io: CliIo, json: boolean): number {
  const code = exitCodeOf(error);
  const ref = error instanceof AsyncTaskError ? error.ref : undefined;
  const message = messageOf(error);
  if (json) {
    const reason = error instanceof TaskFailedError || error instanceof TaskCancelledError ? error.reason : message;
    const info =
      error instanceof AsyncTaskError
        ? { code: error.code, message: reason, retryable: error.retryable }
        : { code: code === ExitCode.Usage ? 'usage' : 'internal_error', message, retryable: false };
    io.stdout.write(`${JSON.stringify({ ...(ref && { task_ref: ref, status: statusOf(error) }), error: info })}\n`);
  }
  io.stderr.write(`mcp-tasks: ${message}\n`);
  return code;
}

/** The exit code for a failure. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return ExitCode.Usage;
  if (error instanceof TaskTimedOutError) return ExitCode.TimedOut;
  if (error instanceof TaskFailedError) return ExitCode.Failed;
  if (error instanceof TaskCancelledError) return ExitCode.Cancelled;
  if (error instanceof WaitExhaustedError) return ExitCode.StillRunning;
  if (error instanceof WaitAbortedError) return ExitCode.Interrupted;
  if (error instanceof ConnectionError) {
    if (error.code === ClientErrorCode.Unreachable) return ExitCode.Unreachable;
    if (error.code === ClientErrorCode.Unauthorized) return ExitCode.Unauthorized;
    return ExitCode.ServerError;
  }
  if (error instanceof TaskRequestError && BAD_INPUT.has(error.code)) return ExitCode.Usage;
  return ExitCode.ServerError;
}

function messageOf(error: unknown): string {
  if (error instanceof UsageError) return `${error.message} (see mcp-tasks --help)`;
  if (error instanceof WaitExhaustedError) {
    return `task ${error.ref} is ${error.lastStatus === 'unknown' ? 'not known to be final' : `still ${error.lastStatus}`} after ${error.polls} ${error.polls === 1 ? 'poll' : 'polls'}; resume with: mcp-tasks wait ${error.ref}`;
  }
  if (error instanceof WaitAbortedError)
    return `stopped waiting; task ${error.ref} keeps running (mcp-tasks wait ${error.ref}, or mcp-tasks cancel ${error.ref})`;
  if (error instanceof AsyncTaskError) return error.message;
  return `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}

function statusOf(error: unknown): string {
  if (error instanceof TaskFailedError) return 'failed';
  if (error instanceof TaskCancelledError) return 'cancelled';
  if (error instanceof WaitExhaustedError) return error.lastStatus;
  return 'unknown';
}

/** The CLI's JSON for one look at a task (snake_case, like the server's views). */
function snapshotJson(snapshot: TaskSnapshot) {
  return {
    task_ref: snapshot.ref,
    via: snapshot.via,
    status: snapshot.status,
    operation_type: snapshot.operation,
    progress: snapshot.progress,
    result: snapshot.result,
    error: snapshot.error,
    poll_after_ms: snapshot.pollAfterMs,
  };
}

function progressText(snapshot: TaskSnapshot): string {
  const { progress } = snapshot;
  if (!progress || snapshot.terminal) return '';
  return ` — ${[progress.percent != null ? `${Math.round(progress.percent)}%` : '', progress.message ?? ''].filter(Boolean).join(' ')}`;
}

function firstSentence(text: string): string {
  const match = text.match(/^.*?[.!?](\s|$)/);
  return (match ? match[0] : text).trim();
}

function describeParameters(schema: { properties?: Record<string, object>; required?: string[] }): string {
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0) return '(none)';
  return properties
    .map(([name, property]) => {
      const type = (property as { type?: unknown }).type;
      return `${name}${schema.required?.includes(name) ? '*' : ''}${typeof type === 'string' ? `: ${type}` : ''}`;
    })
    .join(', ');
}
