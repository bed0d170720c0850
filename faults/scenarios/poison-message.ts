import { GetQueueAttributesCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { newTaskId } from '../../lambda/tasks/task-id.js';
import { probeMix, startHarness, submitProbes } from '../harness.js';
import { sized, type Scenario } from '../scenario.js';

/** Bodies no dispatcher writes: garbage, wrong shapes, and well-formed ids of tasks that do not exist. */
const poisonBodies = () => [
  'not json',
  '{}',
  '[]',
  'null',
  '{"taskId":42}',
  `{"taskId":"${'x'.repeat(5000)}"}`,
  JSON.stringify({ taskId: newTaskId() }),
  JSON.stringify({ taskId: newTaskId(), extra: true }),
];

/**
 * Poison messages sit on the work queue among real work: they must be dropped without creating,
 * touching or blocking any task, and the real tasks around them must run once each.
 */
export const poisonMessage: Scenario = {
  name: 'poison-message',
  fault: 'garbage bodies and unknown task ids on the work queue among real work',
  size: sized(60, 10),
  async run({ scale, rng }) {
    const h = await startHarness();
    const { sqs } = h.stack.emulators.clients;
    const queueUrl = h.stack.emulators.queueUrl;
    try {
      const specs = probeMix(rng, this.size(scale), 'poison', { maxSeconds: 1 });
      const unknownIds: string[] = [];
      let sent = 0;
      const tracked = await submitProbes(h, specs, 10, () => {
        // A poison message after every few real tasks, so they share receive batches.
        if (rng.chance(0.5)) {
          const bodies = poisonBodies();
          const body = bodies[Math.floor(rng() * bodies.length)]!;
          if (body.includes('"taskId":"') && body.length < 200) unknownIds.push((JSON.parse(body) as { taskId: string }).taskId);
          sent++;
          void sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body })).catch(() => {});
        }
      });
      const report = await h.finish(this.name, tracked, () => [`${sent} poison messages sent`]);
      // Not a task's fate, so not in the tally; but a poison message kept in flight is retried until the DLQ.
      const left = await queueDepth(sqs, queueUrl);
      if (left > 0)
        report.problems.push(
          `(no task affected) ${left} message(s) still on the work queue after every task ended: poison retried instead of dropped`,
        );
      // An unknown id must not have conjured up a record.
      for (const id of unknownIds) {
        if (await h.get(id)) {
          report.mislabeled++;
          report.problems.push(`poison message for unknown task ${id} created a record`);
        }
      }
      return report;
    } finally {
      await h.stop();
    }
  },
};

/** Messages still on the queue (visible, in flight or delayed), after giving the poller a moment to delete what it ran. */
async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  let depth = 0;
  for (let i = 0; i < 10; i++) {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    depth = Object.values(Attributes).reduce((sum, n) => sum + Number(n), 0);
    if (depth === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return depth;
}
