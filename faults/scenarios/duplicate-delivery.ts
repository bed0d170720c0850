import { duplicateSends } from '../inject.js';
import { probeMix, submitProbes, withHarness } from '../harness.js';
import { sized, type Scenario } from '../scenario.js';

/**
 * SQS delivers at least once: every work message here arrives three times — twice at once and once
 * a second later, when the task may be running or done. The claim must let exactly one run happen.
 */
export const duplicateDelivery: Scenario = {
  name: 'duplicate-delivery',
  fault: 'every work message is sent 3 times (2 at once, 1 delayed 1 s)',
  size: sized(100, 10),
  async run({ scale, rng }) {
    return withHarness({}, async (h) => {
      const copies = duplicateSends(h.stack.emulators.clients.sqs, 2, 1);
      const tracked = await submitProbes(h, probeMix(rng, this.size(scale), 'dup', { maxSeconds: 1.5 }));
      return await h.finish(this.name, tracked, () => [`${copies.injected} extra deliveries sent`]);
    });
  },
};
