import type { Context } from 'aws-lambda';
import type { CoreDeps } from '../tasks/core-deps.js';
import { sweep, type SweepReport } from '../tasks/sweep.js';
import { lambdaRuntime } from './runtime.js';

/** Time kept back from the Lambda timeout to log and flush metrics. */
const SAFETY_MS = 5_000;

/** The scheduled sweeper: one sweep per invocation (reserved concurrency 1 in AWS; safe twice anyway). */
export function createSweeperHandler(deps: CoreDeps, afterSweep: () => void = () => {}) {
  return async (_event?: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SweepReport> => {
    try {
      // Finish before the function's timeout: whatever is left is still due for the next run.
      return await sweep(deps, context && { budgetMs: context.getRemainingTimeInMillis() - SAFETY_MS });
    } finally {
      afterSweep();
    }
  };
}

/** The Lambda entry point (EventBridge schedule). */
export const handler = (event: unknown, context: Context): Promise<SweepReport> => {
  const { core, telemetry } = lambdaRuntime();
  return createSweeperHandler(core.deps, () => telemetry.flush())(event, context);
};
