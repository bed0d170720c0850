import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Log } from '../lambda/shared/log.js';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { TASK_QUEUE, WORKER_TIMEOUT_SECONDS } from '../lambda/shared/resources.js';

/** The worker handler's shape (the same function the SQS event source calls in AWS). */
export type SqsHandler = (event: SQSEvent, context: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<SQSBatchResponse>;

/** Options for the local stand-in of Lambda's SQS event source. */
export interface QueuePollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  handler: SqsHandler;
  /** Records in flight at most (Lambda's maxConcurrency × batch size). */
  maxConcurrency: number;
  logger: Log;
  /** @default 10, SQS's largest receive */
  batchSize?: number;
}

/** A running poller. */
export interface QueuePoller {
  /** Records being worked on now. */
  inFlight(): number;
  /** Stops receiving and waits up to `graceMs` for running batches; returns how many records were still running. */
  stop(graceMs: number): Promise<number>;
}

/**
 * Does locally what Lambda's event source mapping does in AWS: long-polls the queue, hands batches
 * to the worker handler concurrently (bounded), deletes what succeeded, and leaves the
 * `batchItemFailures` to come back after the visibility timeout.
 */
export function startQueuePoller(options: QueuePollerOptions): QueuePoller {
  const { sqs, queueUrl, handler, logger } = options;
  const batchSize = Math.min(10, options.batchSize ?? 10);
  const stopping = new AbortController();
  const running = new Set<Promise<void>>();
  let inFlight = 0;
  let capacityFreed: () => void = () => {};

  async function runBatch(messages: Message[]): Promise<void> {
    const startedAt = Date.now();
    const context = { getRemainingTimeInMillis: () => WORKER_TIMEOUT_SECONDS * 1000 - (Date.now() - startedAt) };
    try {
      const { batchItemFailures } = await handler({ Records: messages.map(toRecord) }, context);
      const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
      const done = messages.filter((m) => !failed.has(m.MessageId!));
      if (done.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      }
    } catch (error) {
      // Undeleted messages come back after the visibility timeout, as they would in AWS.
      logger.error('worker batch failed', { error: String(error) });
    }
  }

  async function loop(): Promise<void> {
    while (!stopping.signal.aborted) {
      const free = options.maxConcurrency - inFlight;
      if (free <= 0) {
        await new Promise<void>((resolve) => (capacityFreed = resolve));
        continue;
      }
      let messages: Message[];
      try {
        ({ Messages: messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: Math.min(batchSize, free),
            WaitTimeSeconds: TASK_QUEUE.receiveWaitSeconds,
            MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp', 'ApproximateFirstReceiveTimestamp'],
          }),
          { abortSignal: stopping.signal },
        ));
      } catch (error) {
        if (stopping.signal.aborted) break;
        logger.warn('receive failed; retrying in 1 s', { error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        continue;
      }
      if (messages.length === 0) continue;
      inFlight += messages.length;
      const batch = runBatch(messages).finally(() => {
        inFlight -= messages.length;
        running.delete(batch);
        capacityFreed();
      });
      running.add(batch);
    }
  }

  const looping = loop();
  return {
    inFlight: () => inFlight,
    async stop(graceMs) {
      stopping.abort();
      capacityFreed();
      await looping;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([Promise.allSettled([...running]), timeout]);
      clearTimeout(timer);
      return inFlight;
    },
  };
}

function toRecord(message: Message): SQSRecord {
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: (message.Attributes ?? {}) as SQSRecord['attributes'],
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: '',
    awsRegion: '',
  };
}
