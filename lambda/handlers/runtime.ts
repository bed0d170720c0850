import { createAwsClients } from '../shared/aws-clients.js';
import { loadConfig } from '../shared/config.js';
import { PowertoolsTelemetry } from '../shared/telemetry.js';
import { createCore, type Core } from '../tasks/core.js';

/** What a Lambda handler builds once per cold start and reuses while warm. */
export interface LambdaRuntime {
  core: Core;
  telemetry: PowertoolsTelemetry;
}

let runtime: LambdaRuntime | undefined;

/** The process-wide core, built from the environment on first use (a bad setting fails the cold start, naming it). */
export function lambdaRuntime(): LambdaRuntime {
  if (!runtime) {
    const config = loadConfig();
    const telemetry = new PowertoolsTelemetry(config);
    runtime = { core: createCore(config, createAwsClients(), { telemetry }), telemetry };
  }
  return runtime;
}
