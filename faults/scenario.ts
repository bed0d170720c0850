import type { ScenarioReport } from './check.js';
import type { Random } from './random.js';

/** What a scenario is given. */
export interface ScenarioContext {
  /** Multiplies the number of tasks (FAULTS_SCALE); 1 is the full suite. */
  scale: number;
  rng: Random;
}

/** One fault, driven against a local stack and checked task by task. */
export interface Scenario {
  name: string;
  /** What is done to the system, in one line. */
  fault: string;
  /** How many tasks it submits at this scale: every one of them is accepted and checked. */
  size(scale: number): number;
  run(ctx: ScenarioContext): Promise<ScenarioReport>;
}

/** `base` tasks at scale 1, never fewer than `min`. */
export const sized = (base: number, min: number) => (scale: number) => Math.max(min, Math.round(base * scale));
