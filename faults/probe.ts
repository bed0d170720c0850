import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { defineOperation, OperationError } from '../lambda/operations/operation.js';

/** One start or end of an operation run, as the probe (or the HTTP target) saw it. */
export interface RunEvent {
  type: 'start' | 'end';
  /** Names the task (the probe's `key` parameter): the operation never learns the task id itself. */
  key: string;
  attempt?: number;
  /** `ok`: returned a result; `error`: threw on its own; `aborted`: stopped by its signal. */
  outcome?: 'ok' | 'error' | 'aborted';
  /** Which life of the stack process ran it: a run left open by a killed process ended with it. */
  life?: number;
  /** Epoch ms. */
  at?: number;
}

/** Where run events go: memory in-process, an append-only file across kill -9 (faults/serve.ts). */
export type RunSink = (event: RunEvent) => void;

export const memorySink =
  (events: RunEvent[]): RunSink =>
  (event) =>
    void events.push(event);

/** What one task's operation did across all its runs. */
export interface RunStats {
  runs: number;
  /** Starts while another run of the same task was still going: the engine let two workers run it. */
  overlaps: number;
  outcomes: Array<RunEvent['outcome'] | 'died'>;
  /** When a run last came back with an outcome (`ok` or `error`). */
  returnedAt?: number;
}

/** Folds run events (in the order they happened) into per-key statistics. */
export function runStats(events: readonly RunEvent[]): Map<string, RunStats> {
  const stats = new Map<string, RunStats>();
  const open = new Map<string, number>();
  let life = 0;
  for (const event of events) {
    if ((event.life ?? 0) !== life) {
      // The process of the previous life was killed: whatever it was running died with it.
      for (const [key, count] of open) for (let i = 0; i < count; i++) stats.get(key)!.outcomes.push('died');
      open.clear();
      life = event.life ?? 0;
    }
    const s = stats.get(event.key) ?? { runs: 0, overlaps: 0, outcomes: [] };
    stats.set(event.key, s);
    const running = open.get(event.key) ?? 0;
    if (event.type === 'start') {
      s.runs++;
      if (running > 0) s.overlaps++;
      open.set(event.key, running + 1);
    } else {
      s.outcomes.push(event.outcome);
      if (event.outcome !== 'aborted') s.returnedAt = event.at;
      open.set(event.key, Math.max(0, running - 1));
    }
  }
  return stats;
}

/** The probe's result for a task: what a completed record must hold. */
export const probeResult = (key: string) => ({ echo: key });

/**
 * A delay-like operation for the fault suite: records every start and end, waits `seconds`, then
 * returns `{ echo: key }` — or fails with `fail` (not retryable), or retryably on its first
 * `failAttempts` attempts. Safe to repeat, like `delay`, so a lost worker's task is run again.
 */
export function probeOperation(sink: RunSink) {
  return defineOperation({
    name: 'probe',
    description: 'Fault-suite probe: waits `seconds`, recording each run, then echoes `key` or fails as asked.',
    input: z.object({
      key: z.string().min(1).max(200),
      seconds: z.number().min(0).max(60),
      fail: z.string().max(200).optional(),
      failAttempts: z.number().int().min(0).max(10).optional(),
    }),
    retry: { maxAttempts: 3, baseDelaySeconds: 1 },
    async execute({ key, seconds, fail, failAttempts = 0 }, ctx) {
      const record = (type: RunEvent['type'], outcome?: RunEvent['outcome']) =>
        sink({ type, key, attempt: ctx.attempt, outcome, at: Date.now() });
      record('start');
      try {
        await sleep(seconds * 1000, undefined, { signal: ctx.signal });
      } catch (error) {
        record('end', 'aborted');
        throw error;
      }
      if (fail !== undefined || ctx.attempt <= failAttempts) {
        record('end', 'error');
        throw new OperationError(fail ?? `transient failure on attempt ${ctx.attempt}`, { retryable: fail === undefined });
      }
      record('end', 'ok');
      return probeResult(key);
    },
  });
}
