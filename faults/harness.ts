import { operations as registeredOperations } from '../lambda/operations/index.js';
import { createAwsClients } from '../lambda/shared/aws-clients.js';
import { createCore } from '../lambda/tasks/core.js';
import type { TaskRecord } from '../lambda/tasks/task.js';
import { TaskError } from '../lambda/tasks/task-error.js';
import type { SubmitRequest } from '../lambda/tasks/task-service-types.js';
import { startLocalStack, type LocalStack } from '../local/stack.js';
import { checkTasks, completedWith, failedWith, settle, type ScenarioReport, type Tracked } from './check.js';
import { capturingLogger, observedFrom, transitionsByTask, watchTerminalWrites, type Transition } from './observe.js';
import { memorySink, probeOperation, probeResult, runStats, type RunEvent } from './probe.js';
import type { Random } from './random.js';

/**
 * Settings every fault run uses: short leases and grace so rescues happen within seconds (the lease
 * still long enough that a busy 2-core machine does not lose one), quotas out of the way.
 */
export const FAULT_ENV: Record<string, string> = {
  LEASE_SECONDS: '5',
  DISPATCH_GRACE_SECONDS: '2',
  MAX_CONCURRENCY: '50',
  MAX_ACTIVE_TASKS_PER_CALLER: '100000',
  MAX_STARTS_PER_MINUTE_PER_CALLER: '100000',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** The sweeper runs this often in a fault run. */
export const SWEEP_INTERVAL_MS = 500;

/** Callers the tasks are spread over. */
export const OWNERS = ['caller-a', 'caller-b', 'caller-c', 'caller-d', 'caller-e'];

/** A caller's bearer token where the stack serves HTTP (MCP_AUTH_TOKENS). */
export const tokenOf = (owner: string) => `token-${owner}`;

/** An in-process local stack with the probe registered and every run and terminal write recorded. */
export interface Harness {
  stack: LocalStack;
  /** Probe (and any other) run events, in order. */
  runs: RunEvent[];
  transitions: Transition[];
  /** Reads through the engine's store on clients of their own, untouched by the faults injected into the stack's. */
  get(taskId: string): Promise<TaskRecord | undefined>;
  /** Submits, retrying refused attempts under the same idempotency key (so a retry never makes a second task). */
  submit(request: Omit<SubmitRequest, 'idempotencyKey'> & { idempotencyKey: string }): Promise<TaskRecord>;
  /** Settles the tracked tasks and judges them; `runEvents` replaces the probe's runs (e.g. an HTTP target's hits). */
  finish(name: string, tracked: readonly Tracked[], notes?: () => string[], runEvents?: readonly RunEvent[]): Promise<ScenarioReport>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const startedAt = Date.now();
  const runs: RunEvent[] = [];
  const transitions: Transition[] = [];
  const record = (t: Transition) => void transitions.push(t);
  const unwatch = watchTerminalWrites(record);
  const stack = await startLocalStack({
    http: false,
    env: { ...FAULT_ENV, ...options.env },
    sweepIntervalMs: SWEEP_INTERVAL_MS,
    logger: capturingLogger(record),
    operations: [probeOperation(memorySink(runs)), ...registeredOperations],
  });
  const readerClients = createAwsClients(stack.emulators.endpoints);
  const reader = createCore(stack.config, readerClients).store;
  const get = (taskId: string) => reader.get(taskId);
  return {
    stack,
    runs,
    transitions,
    get,
    async submit(request) {
      for (let attempt = 1; ; attempt++) {
        try {
          return (await stack.core.service.submit(request)).task;
        } catch (error) {
          // A refusal that says trying again cannot help (validation, quota…) is the scenario's bug.
          if (attempt >= 20 || (error instanceof TaskError && !error.retryable)) throw error;
          await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
        }
      }
    },
    async finish(name, tracked, notes, runEvents = runs) {
      const records = await settle(
        get,
        tracked.map((t) => t.taskId),
        SWEEP_INTERVAL_MS * 2 + 1_000,
      );
      return checkTasks(name, tracked, { records, runs: runStats(runEvents), transitions: transitionsByTask(transitions) }, startedAt, [
        ...(notes?.() ?? []),
        observedFrom(transitions),
      ]);
    },
    async stop() {
      await stack.stop(0);
      readerClients.ddb.destroy();
      readerClients.sqs.destroy();
      unwatch();
    },
  };
}

/** Runs `scenario` on a harness of its own and stops the harness however the scenario ends. */
export async function withHarness<T>(options: HarnessOptions, scenario: (h: Harness) => Promise<T>): Promise<T> {
  const h = await startHarness(options);
  try {
    return await scenario(h);
  } finally {
    await h.stop();
  }
}

/** A probe task to submit and how it must end. */
export interface ProbeSpec {
  key: string;
  owner: string;
  params: { seconds: number; fail?: string; failAttempts?: number };
  maxWaitSeconds: number;
  judge: Tracked['judge'];
  maxRuns: number;
}

/** Submits probe tasks, `concurrency` at a time; `afterSubmit` sees each accepted task (e.g. to schedule a cancel). */
export async function submitProbes(
  h: Harness,
  specs: readonly ProbeSpec[],
  concurrency = 10,
  afterSubmit?: (task: TaskRecord, spec: ProbeSpec) => void,
): Promise<Tracked[]> {
  const tracked: Tracked[] = [];
  const queue = [...specs];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let spec = queue.shift(); spec; spec = queue.shift()) {
        const task = await h.submit({
          owner: spec.owner,
          operation: 'probe',
          params: { key: spec.key, ...spec.params },
          idempotencyKey: spec.key,
          maxWaitSeconds: spec.maxWaitSeconds,
        });
        tracked.push({ taskId: task.taskId, key: spec.key, judge: spec.judge, maxRuns: spec.maxRuns });
        afterSubmit?.(task, spec);
      }
    }),
  );
  return tracked;
}

/** The usual mix: most tasks complete, some fail for good, some fail once and succeed on the retry. */
export function probeMix(
  rng: Random,
  count: number,
  prefix: string,
  shape: { maxSeconds: number; maxWaitSeconds?: number; failShare?: number; transientShare?: number },
): ProbeSpec[] {
  const { maxSeconds, maxWaitSeconds = 20, failShare = 0.1, transientShare = 0.1 } = shape;
  return Array.from({ length: count }, (_, i) => {
    const key = `${prefix}-${i}`;
    const owner = OWNERS[i % OWNERS.length]!;
    const seconds = Math.round(rng.between(0, maxSeconds) * 100) / 100;
    const roll = rng();
    if (roll < failShare)
      return { key, owner, params: { seconds, fail: `boom ${i}` }, maxWaitSeconds, judge: failedWith('operation_error'), maxRuns: 1 };
    if (roll < failShare + transientShare)
      return { key, owner, params: { seconds, failAttempts: 1 }, maxWaitSeconds, judge: completedWith(probeResult(key)), maxRuns: 2 };
    return { key, owner, params: { seconds }, maxWaitSeconds, judge: completedWith(probeResult(key)), maxRuns: 1 };
  });
}
