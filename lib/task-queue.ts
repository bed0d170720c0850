import { Duration } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TASK_QUEUE, WORKER_TIMEOUT_SECONDS } from '../lambda/shared/resources.js';

/** Properties of a TaskQueue. */
export interface TaskQueueProps {
  /**
   * The consuming function's timeout; the visibility timeout is TASK_QUEUE.visibilityTimeoutFactor times it.
   * @default Duration.seconds(WORKER_TIMEOUT_SECONDS)
   */
  readonly consumerTimeout?: Duration;
}

/** How the worker consumes the queue. */
export interface TaskQueueConsumerOptions {
  /** @default 1 */
  readonly batchSize?: number;
  /** Concurrent invocations the event source may start (2-1000). @default - as many as Lambda allows */
  readonly maxConcurrency?: number;
}

/**
 * The work queue and its dead-letter queue, shaped by TASK_QUEUE (the local stack uses the same
 * values): SSE, TLS only, redrive after maxReceiveCount deliveries.
 */
export class TaskQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: TaskQueueProps = {}) {
    super(scope, id);
    const consumerTimeout = props.consumerTimeout ?? Duration.seconds(WORKER_TIMEOUT_SECONDS);
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      retentionPeriod: Duration.seconds(TASK_QUEUE.dlqRetentionSeconds),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new Queue(this, 'Queue', {
      visibilityTimeout: Duration.seconds(consumerTimeout.toSeconds() * TASK_QUEUE.visibilityTimeoutFactor),
      receiveMessageWaitTime: Duration.seconds(TASK_QUEUE.receiveWaitSeconds),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: TASK_QUEUE.maxReceiveCount },
    });
  }

  /** Lets a producer dispatch tasks (send only: it can neither receive nor delete messages). */
  grantDispatch(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({ grantee, actions: ['sqs:SendMessage'], resourceArns: [this.queue.queueArn] });
  }

  /**
   * Makes `fn` the queue's consumer, reporting per-message failures so one bad task never redelivers
   * its batch; the event source grants the receive/delete/visibility actions it needs.
   */
  addConsumer(fn: IFunction, options: TaskQueueConsumerOptions = {}): SqsEventSource {
    const source = new SqsEventSource(this.queue, {
      batchSize: options.batchSize ?? 1,
      maxConcurrency: options.maxConcurrency,
      reportBatchItemFailures: true,
    });
    fn.addEventSource(source);
    return source;
  }
}
