import { sweep, type SweepDeps, type SweepReport } from '../tasks/sweep.js';
import { lambdaRuntime } from './runtime.js';

/** The scheduled sweeper: one sweep per invocation (reserved concurrency 1 in AWS; safe twice anyway). */
export function createSweeperHandler(deps: SweepDeps, afterSweep: () => void = () => {}) {
  return async (): Promise<SweepReport> => {
    try {
      return await sweep(deps);
    } finally {
      afterSweep();
    }
  };
}

/** The Lambda entry point (EventBridge schedule). */
export const handler = (): Promise<SweepReport> => {
  const { core, telemetry } = lambdaRuntime();
  return createSweeperHandler(core.deps, () => telemetry.flush())();
};
