import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { WorkMessage } from '../tasks/dispatcher.js';
import type { CoreDeps } from '../tasks/core-deps.js';
import { runTask } from '../tasks/run-task.js';
import { isTaskId } from '../tasks/task-id.js';
import { lambdaRuntime } from './runtime.js';

/** The SQS worker: one run-task per record; only records whose store writes failed are retried. */
export function createWorkerHandler(deps: CoreDeps, afterBatch: () => void = () => {}) {
  return async (event: SQSEvent, context: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> => {
    const recordHandler = async (record: SQSRecord) => {
      const taskId = parseTaskId(record.body);
      if (!taskId) {
        // A poison message would only come back: drop it, loudly. The record, if any, is the sweeper's.
        deps.logger.error('dropping a malformed work message', { messageId: record.messageId });
        return;
      }
      try {
        await runTask(deps, taskId, { remainingTimeMs: () => context.getRemainingTimeInMillis() });
      } catch (error) {
        // The one log line of this failure; the message comes back after its visibility timeout.
        deps.logger.error('task delivery failed; the message will be redelivered', { taskId, error: String(error) });
        throw error;
      }
    };
    try {
      // A processor per batch: its state is per invocation, and the local poller runs batches concurrently.
      return await processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
        context: context as Context,
        throwOnFullBatchFailure: false,
      });
    } finally {
      afterBatch();
    }
  };
}

function parseTaskId(body: string): string | undefined {
  try {
    const message = JSON.parse(body) as Partial<WorkMessage>;
    // Only a well-formed id can name a task; anything else (say 5,000 characters) would make the claim
    // itself fail, and the message would cycle until the DLQ.
    return typeof message.taskId === 'string' && isTaskId(message.taskId) ? message.taskId : undefined;
  } catch {
    return undefined;
  }
}

/** The Lambda entry point. */
export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const { core, telemetry } = lambdaRuntime();
  return createWorkerHandler(core.deps, () => telemetry.flush())(event, context);
};
