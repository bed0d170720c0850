import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { defineOperation, OperationError } from './operation.js';

/** Progress is reported about this often, so pollers see a long delay move. */
const PROGRESS_STEP_MS = 1_000;

/** Waits, then echoes or fails on request: the stand-in for a slow dependency in demos and load tests. */
export const delay = defineOperation({
  name: 'delay',
  description: 'Waits `seconds` (a simulated slow external call), then returns { echo } — or fails with `fail` as the message.',
  input: z.object({
    seconds: z.number().min(0).max(900).describe('How long the simulated call takes, 0–900 seconds.'),
    echo: z.unknown().optional().describe('Any JSON value, returned unchanged as the result.'),
    fail: z.string().max(1_000).optional().describe('When set, the task fails with this message instead of completing.'),
  }),
  // Safe to repeat, so a task whose worker died is run again rather than failed.
  retry: { maxAttempts: 3, baseDelaySeconds: 1 },
  async execute({ seconds, echo, fail }, ctx) {
    const totalMs = seconds * 1000;
    for (let elapsed = 0; elapsed < totalMs; elapsed += PROGRESS_STEP_MS) {
      await sleep(Math.min(PROGRESS_STEP_MS, totalMs - elapsed), undefined, { signal: ctx.signal });
      const done = Math.min(totalMs, elapsed + PROGRESS_STEP_MS);
      ctx.reportProgress(Math.round((done / totalMs) * 100), `waited ${Math.round(done / 1000)} of ${seconds} s`);
    }
    if (fail !== undefined) throw new OperationError(fail);
    return { echo: echo ?? null };
  },
});
