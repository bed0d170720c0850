import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Core } from '../../lambda/tasks/core.js';
import type { WorkMessage } from '../../lambda/tasks/dispatcher.js';
import { runTask } from '../../lambda/tasks/run-task.js';

/** A running test worker. */
export interface TestWorker {
  /** Stops receiving and waits (a bounded time) for the runs in flight. */
  stop(): Promise<void>;
}

/**
 * A minimal stand-in for the worker Lambda: receives from the work queue and runs each task
 * concurrently through the core's runTask, deleting the message afterwards.
 */
export function startTestWorker(core: Core, sqs: SQSClient, queueUrl: string): TestWorker {
  let running = true;
  const inFlight = new Set<Promise<void>>();

  const loop = (async () => {
    while (running) {
      let messages;
      try {
        ({ Messages: messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 })));
      } catch {
        if (!running) break;
        continue;
      }
      for (const message of messages ?? []) {
        const run = (async () => {
          const { taskId } = JSON.parse(message.Body!) as WorkMessage;
          await runTask(core.deps, taskId);
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
        })()
          .catch(() => {}) // a failed run stays on the queue, as in production
          .finally(() => inFlight.delete(run));
        inFlight.add(run);
      }
    }
  })();

  return {
    async stop() {
      running = false;
      await loop;
      const bounded = new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref());
      await Promise.race([Promise.all(inFlight), bounded]);
    },
  };
}
