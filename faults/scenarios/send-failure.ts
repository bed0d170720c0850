import { failCalls, sendRefused } from '../inject.js';
import { probeMix, submitProbes, withHarness } from '../harness.js';
import { sized, type Scenario } from '../scenario.js';

/**
 * The queue refuses 10% of sends — first dispatches, retry dispatches and the sweeper's re-dispatches
 * alike. A refused dispatch must never lose the task: the durable record is rescued by the sweeper.
 */
export const sendFailure: Scenario = {
  name: 'send-failure',
  fault: '10% of SendMessage calls throw',
  size: sized(100, 10),
  async run({ scale, rng }) {
    return withHarness({}, async (h) => {
      const refused = failCalls(
        h.stack.emulators.clients.sqs,
        (call) => call.command === 'SendMessageCommand' && rng.chance(0.1),
        sendRefused,
      );
      const tracked = await submitProbes(h, probeMix(rng, this.size(scale), 'send', { maxSeconds: 1, transientShare: 0.2 }));
      return await h.finish(this.name, tracked, () => [`${refused.injected} sends refused`]);
    });
  },
};
