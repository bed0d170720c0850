import { failCalls, isWorkerOutcomeWrite, throttled } from '../inject.js';
import { probeMix, submitProbes, withHarness } from '../harness.js';
import { sized, type Scenario } from '../scenario.js';

/**
 * The worker's terminal write (the result, or the failure) fails transiently: the first attempt of
 * every task, the second too for a third of them. Other writes are untouched. The outcome is known,
 * so it must be written eventually — and the operation must not run again to produce it.
 */
export const outcomeWriteFailure: Scenario = {
  name: 'outcome-write-failure',
  fault: "the worker's terminal UpdateItem throws on its first try (first two for every third task)",
  size: sized(60, 10),
  async run({ scale, rng }) {
    return withHarness({}, async (h) => {
      const tries = new Map<string, number>();
      const failing = failCalls(
        h.stack.emulators.clients.ddb,
        (call) => {
          if (!isWorkerOutcomeWrite(call)) return false;
          const taskId = String((call.input.Key as { taskId?: string } | undefined)?.taskId);
          const n = (tries.get(taskId) ?? 0) + 1;
          tries.set(taskId, n);
          return n === 1 || (n === 2 && taskId.charCodeAt(0) % 3 === 0);
        },
        throttled,
      );
      const tracked = await submitProbes(h, probeMix(rng, this.size(scale), 'outcome', { maxSeconds: 1, transientShare: 0 }));
      return await h.finish(this.name, tracked, () => [`${failing.injected} outcome writes failed`]);
    });
  },
};
