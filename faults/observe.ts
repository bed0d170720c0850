import type { Logger } from '@aws-lambda-powertools/logger';
import { createAwsClients } from '../lambda/shared/aws-clients.js';
import { loadConfig } from '../lambda/shared/config.js';
import { createCore } from '../lambda/tasks/core.js';
import { entryLogger } from '../local/entry-logger.js';

/** One terminal write, from the engine's `task finished` log line or from a store write that returned true. */
export interface Transition {
  taskId: string;
  status: string;
  code?: string;
  by?: string;
  source: 'log' | 'store';
  /** The stack process's life (kill scenario). */
  life?: number;
}

export type TransitionSink = (transition: Transition) => void;

/**
 * A Powertools logger (children included, as the worker logs through a per-task child) that prints
 * nothing and hands every `task finished` line to `sink`; errors go to stderr with FAULTS_VERBOSE=1.
 */
export function capturingLogger(sink: TransitionSink): Logger {
  const verbose = process.env.FAULTS_VERBOSE === '1';
  return entryLogger(
    ({ message, taskId, status, code, by, level: name, ...rest }, level) => {
      if (message === 'task finished' && typeof taskId === 'string') {
        sink({
          taskId,
          status: String(status),
          code: code === undefined ? undefined : String(code),
          by: by === undefined ? undefined : String(by),
          source: 'log',
        });
      } else if (verbose && level >= 16 /* WARN and above */) {
        process.stderr.write(`[stack ${String(name)}] ${String(message)} ${JSON.stringify({ taskId, ...rest }).slice(0, 300)}\n`);
      }
    },
    { serviceName: 'mcp-async-tasks', logLevel: 'INFO' },
  );
}

let storeSink: TransitionSink | undefined;
let patched = false;

/**
 * Until every engine logs `task finished`, terminal writes are also seen at the store: its terminal
 * methods are wrapped on the class prototype, so every store of this process reports, including the
 * one a local stack builds and uses for its start-up recovery before any caller can touch it.
 * Returns a function that stops reporting to `sink`.
 */
export function watchTerminalWrites(sink: TransitionSink): () => void {
  if (!patched) {
    patched = true;
    // A throwaway core hands over the store class whatever the engine currently names it.
    const config = loadConfig({ TASK_TABLE: 'unused', TASK_QUEUE_URL: 'http://127.0.0.1:9/unused' });
    const proto = Object.getPrototypeOf(
      createCore(config, createAwsClients({ dynamodb: 'http://127.0.0.1:9', sqs: 'http://127.0.0.1:9' })).store,
    ) as Record<string, unknown>;
    const terminal: Record<string, { status: string; code?: string }> = {
      complete: { status: 'completed' },
      fail: { status: 'failed' },
      failTimedOut: { status: 'failed', code: 'timeout' },
      failWorkerLost: { status: 'failed', code: 'worker_lost' },
      cancel: { status: 'cancelled', code: 'cancelled' },
    };
    for (const [method, { status, code }] of Object.entries(terminal)) {
      const original = proto[method] as ((...args: unknown[]) => Promise<unknown>) | undefined;
      if (typeof original !== 'function') continue;
      proto[method] = async function (this: unknown, ...args: unknown[]) {
        const outcome = await original.apply(this, args);
        // complete/fail/fail*: true when written; cancel: { changed: true } when it cancelled a live task.
        const written = outcome === true || (outcome as { changed?: boolean } | undefined)?.changed === true;
        if (written && storeSink) {
          const taskId = method === 'cancel' ? args[1] : method === 'failWorkerLost' ? (args[0] as { taskId: string }).taskId : args[0];
          const failCode = method === 'fail' ? (args[2] as { code?: string } | undefined)?.code : code;
          storeSink({ taskId: String(taskId), status, code: failCode, source: 'store' });
        }
        return outcome;
      };
    }
  }
  storeSink = sink;
  return () => {
    if (storeSink === sink) storeSink = undefined;
  };
}

/**
 * Terminal writes per task: the engine's own log lines when it emits them, else the store's.
 * Both are recorded; counting both would count every transition twice.
 */
export function transitionsByTask(transitions: readonly Transition[]): Map<string, Transition[]> {
  const source = transitions.some((t) => t.source === 'log') ? 'log' : 'store';
  const byTask = new Map<string, Transition[]>();
  for (const t of transitions) {
    if (t.source !== source) continue;
    byTask.set(t.taskId, [...(byTask.get(t.taskId) ?? []), t]);
  }
  return byTask;
}

/** Says where the transitions were counted from, for the report. */
export function observedFrom(transitions: readonly Transition[]): string {
  return `transitions counted from ${transitions.some((t) => t.source === 'log') ? "the engine's `task finished` lines" : 'terminal store writes'}`;
}
