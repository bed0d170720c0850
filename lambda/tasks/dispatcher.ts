import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Hands a task to the workers. */
export interface Dispatcher {
  /** @throws whatever the queue throws; the caller decides how the task is rescued. */
  dispatch(taskId: string, delaySeconds?: number): Promise<void>;
}

/** The body of a work message: only the id; the record is the source of truth. */
export interface WorkMessage {
  taskId: string;
}

/** SQS's longest message delay; longer backoffs rely on the record's notBefore and the sweeper. */
const MAX_DELAY_SECONDS = 900;

/** Dispatches over the SQS work queue. */
export class SqsDispatcher implements Dispatcher {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async dispatch(taskId: string, delaySeconds = 0): Promise<void> {
    const body: WorkMessage = { taskId };
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(body),
        DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds))),
      }),
    );
  }
}
