import type { ScenarioReport } from './check.js';
import { seeded } from './random.js';
import type { Scenario } from './scenario.js';
import { cancelRace } from './scenarios/cancel-race.js';
import { ddbThrottle } from './scenarios/ddb-throttle.js';
import { duplicateDelivery } from './scenarios/duplicate-delivery.js';
import { killRestart } from './scenarios/kill-restart.js';
import { outcomeWriteFailure } from './scenarios/outcome-write-failure.js';
import { poisonMessage } from './scenarios/poison-message.js';
import { sendFailure } from './scenarios/send-failure.js';
import { unstorableResults } from './scenarios/unstorable-results.js';
import { workerTimeLimit } from './scenarios/worker-time-limit.js';

/** Every scenario, in the order the suite runs them (numbered as in the brief that asked for them). */
export const SCENARIOS: readonly Scenario[] = [
  killRestart,
  duplicateDelivery,
  sendFailure,
  ddbThrottle,
  poisonMessage,
  unstorableResults,
  workerTimeLimit,
  cancelRace,
  outcomeWriteFailure,
];

export interface SuiteResult {
  reports: ScenarioReport[];
  /** `faults: S scenarios, T tasks, L lost, D double-terminal, M mislabeled` */
  summary: string;
  ok: boolean;
}

/** Runs the chosen scenarios one after another (each on a stack of its own) and totals them. */
export async function runSuite(options: {
  scale: number;
  seed: number;
  only?: readonly string[];
  onReport?: (report: ScenarioReport) => void;
}): Promise<SuiteResult> {
  const only = options.only ?? [];
  const unknown = only.filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown.length > 0)
    throw new Error(`unknown scenario ${unknown.join(', ')}; expected one of: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const chosen = SCENARIOS.filter((s) => only.length === 0 || only.includes(s.name));
  const reports: ScenarioReport[] = [];
  for (const scenario of chosen) {
    // A generator per scenario, so choosing a subset does not change what each one does.
    const report = await scenario
      .run({ scale: options.scale, rng: seeded(options.seed + SCENARIOS.indexOf(scenario) * 7919) })
      .catch((error: unknown) => crashed(scenario, options.scale, error));
    report.notes.unshift(`fault: ${scenario.fault}`);
    reports.push(report);
    options.onReport?.(report);
  }
  const total = (pick: (r: ScenarioReport) => number) => reports.reduce((sum, r) => sum + pick(r), 0);
  const lost = total((r) => r.lost);
  const double = total((r) => r.doubleTerminal);
  const mislabeled = total((r) => r.mislabeled);
  return {
    reports,
    summary: `faults: ${reports.length} scenarios, ${total((r) => r.tasks)} tasks, ${lost} lost, ${double} double-terminal, ${mislabeled} mislabeled`,
    ok: lost + double + mislabeled === 0,
  };
}

/** A scenario that could not finish vouches for none of its tasks: all of them count as lost. */
function crashed(scenario: Scenario, scale: number, error: unknown): ScenarioReport {
  const tasks = scenario.size(scale);
  return {
    name: scenario.name,
    seconds: 0,
    tasks,
    completed: 0,
    failedByCode: {},
    cancelled: 0,
    lost: tasks,
    doubleTerminal: 0,
    mislabeled: 0,
    rerun: 0,
    overlap: 0,
    notes: [],
    problems: [`the scenario crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`],
  };
}
