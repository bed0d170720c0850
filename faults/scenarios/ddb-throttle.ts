import { failCalls, throttled } from '../inject.js';
import { probeMix, submitProbes, withHarness } from '../harness.js';
import { either, timedOut, workerLost } from '../check.js';
import { sized, type Scenario } from '../scenario.js';

/**
 * DynamoDB throttles 10% of every call the stack makes (submit, claim, heartbeat, outcome, sweep),
 * injected where our code sees it: after the SDK's own retries. Callers retry refused submits with
 * the same idempotency key. Throttled heartbeats may cost a worker its lease, so reruns are allowed
 * here (never two at once), and worker_lost is truthful when no run of the task came back.
 */
export const ddbThrottle: Scenario = {
  name: 'ddb-throttle',
  fault: '10% of DynamoDB calls throw ProvisionedThroughputExceededException',
  size: sized(100, 10),
  async run({ scale, rng }) {
    return withHarness({}, async (h) => {
      const throttle = failCalls(h.stack.emulators.clients.ddb, () => rng.chance(0.1), throttled);
      const specs = probeMix(rng, this.size(scale), 'throttle', { maxSeconds: 1.5 }).map((spec) => ({
        ...spec,
        judge: either(spec.judge, workerLost, timedOut),
        maxRuns: 3,
      }));
      const tracked = await submitProbes(h, specs);
      return await h.finish(this.name, tracked, () => [`${throttle.injected} DynamoDB calls throttled`]);
    });
  },
};
