import type { SQSEvent } from 'aws-lambda';
import { createWorkerHandler } from '../../lambda/handlers/worker.js';
import { loadConfig } from '../../lambda/shared/config.js';
import { createCore } from '../../lambda/tasks/core.js';
import { sweep } from '../../lambda/tasks/sweep.js';
import { startEmulators } from '../../local/emulators.js';
import { startQueuePoller } from '../../local/queue-poller.js';
import { checkTasks, completedWith, either, settle, timedOut, workerLost, type Tracked } from '../check.js';
import { FAULT_ENV, OWNERS, SWEEP_INTERVAL_MS } from '../harness.js';
import { capturingLogger, observedFrom, transitionsByTask, watchTerminalWrites, type Transition } from '../observe.js';
import { memorySink, probeOperation, probeResult, runStats, type RunEvent } from '../probe.js';
import { sized, type Scenario } from '../scenario.js';

/** How much Lambda time a task's deliveries get. */
type Plan = 'plenty' | 'first-short' | 'always-short';

/** Remaining Lambda time of a delivery that cannot fit the task (less than the worker keeps back to write). */
const SHORT_MS = 5_000;
const PLENTY_MS = 900_000;

/**
 * Workers that start with too little Lambda time left (context.getRemainingTimeInMillis). The local
 * stack's poller always grants 900 s, so this scenario wires the same emulators, core, poller and
 * worker handler itself, handing each delivery the time its task's plan says. A task short on its
 * first delivery must complete on the next; one short on every delivery must end worker_lost (or
 * timeout, once its deadline really passed) — never `timeout` while its deadline is still ahead.
 */
export const workerTimeLimit: Scenario = {
  name: 'worker-time-limit',
  fault: 'deliveries whose Lambda has 5 s left (the first, or every one)',
  size: sized(40, 6),
  async run({ scale, rng }) {
    const startedAt = Date.now();
    const runs: RunEvent[] = [];
    const transitions: Transition[] = [];
    const record = (t: Transition) => void transitions.push(t);
    const unwatch = watchTerminalWrites(record);
    const emulators = await startEmulators();
    const config = loadConfig({ ...FAULT_ENV, TASK_TABLE: emulators.tableName, TASK_QUEUE_URL: emulators.queueUrl });
    const core = createCore(config, emulators.clients, { logger: capturingLogger(record), operations: [probeOperation(memorySink(runs))] });

    // A delivery may arrive before submit() has returned the task id: it waits for the plan.
    const plans = new Map<string, Plan>();
    const planned = new Map<string, () => void>();
    const planOf = async (taskId: string): Promise<Plan> => {
      if (!plans.has(taskId))
        await Promise.race([new Promise<void>((resolve) => planned.set(taskId, resolve)), new Promise((r) => setTimeout(r, 2_000))]);
      return plans.get(taskId) ?? 'plenty';
    };
    const deliveries = new Map<string, number>();
    const worker = createWorkerHandler(core.deps);
    const poller = startQueuePoller({
      sqs: emulators.clients.sqs,
      queueUrl: emulators.queueUrl,
      maxConcurrency: config.execution.maxConcurrency,
      batchSize: 1,
      logger: core.deps.logger,
      async handler(event: SQSEvent) {
        const taskId = String((JSON.parse(event.Records[0]!.body) as { taskId?: unknown }).taskId);
        const n = (deliveries.get(taskId) ?? 0) + 1;
        deliveries.set(taskId, n);
        const plan = await planOf(taskId);
        const budget = plan === 'always-short' || (plan === 'first-short' && n === 1) ? SHORT_MS : PLENTY_MS;
        const t0 = Date.now();
        return worker(event, { getRemainingTimeInMillis: () => budget - (Date.now() - t0) });
      },
    });
    let sweeping = Promise.resolve();
    const sweeper = setInterval(() => {
      sweeping = sweeping.then(() =>
        sweep(core.deps).then(
          () => {},
          () => {},
        ),
      );
    }, SWEEP_INTERVAL_MS);

    try {
      const tracked: Tracked[] = [];
      const count = this.size(scale);
      await Promise.all(
        Array.from({ length: count }, async (_, i) => {
          const roll = rng();
          const plan: Plan = roll < 0.5 ? 'plenty' : roll < 0.8 ? 'first-short' : 'always-short';
          const key = `limit-${plan}-${i}`;
          const { task } = await core.service.submit({
            owner: OWNERS[i % OWNERS.length]!,
            operation: 'probe',
            params: { key, seconds: Math.round(rng.between(0.2, 1.5) * 100) / 100 },
            idempotencyKey: key,
            maxWaitSeconds: 15,
          });
          plans.set(task.taskId, plan);
          planned.get(task.taskId)?.();
          const done = completedWith(probeResult(key));
          tracked.push(
            plan === 'always-short'
              ? { taskId: task.taskId, key, maxRuns: 3, judge: either(workerLost, timedOut) }
              : { taskId: task.taskId, key, maxRuns: plan === 'plenty' ? 1 : 2, judge: done },
          );
        }),
      );
      const records = await settle(
        (id) => core.store.get(id),
        tracked.map((t) => t.taskId),
        SWEEP_INTERVAL_MS * 2 + 1_000,
      );
      const short = [...plans.values()].filter((p) => p !== 'plenty').length;
      return checkTasks(this.name, tracked, { records, runs: runStats(runs), transitions: transitionsByTask(transitions) }, startedAt, [
        `${short} tasks started on a worker with ${SHORT_MS / 1000} s left`,
        observedFrom(transitions),
      ]);
    } finally {
      clearInterval(sweeper);
      await poller.stop(0);
      await sweeping;
      await emulators.stop();
      unwatch();
    }
  },
};
