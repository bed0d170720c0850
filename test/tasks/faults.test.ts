import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createWorkerHandler } from '../../lambda/handlers/worker.js';
import { delay } from '../../lambda/operations/delay.js';
import { createCore } from '../../lambda/tasks/core.js';
import { runTask } from '../../lambda/tasks/run-task.js';
import { sweep } from '../../lambda/tasks/sweep.js';
import type { TaskRecord } from '../../lambda/tasks/task.js';
import { startCoreFixture, testConfig, type CoreFixture } from '../support/core-fixture.js';

const throttled = () =>
  new ProvisionedThroughputExceededException({ message: 'Rate of requests exceeds the allowed throughput', $metadata: {} });
const lambdaContext = { getRemainingTimeInMillis: () => 900_000 } as Context;

let fx: CoreFixture;
beforeAll(async () => {
  fx = await startCoreFixture();
});
afterAll(() => fx.stop());

describe('faults: a queue that refuses a send', () => {
  const sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const sqsMock = mockClient(sqs);
  afterEach(() => sqsMock.reset());

  it('keeps the durable record and marks it for the sweeper, which re-dispatches it', async () => {
    sqsMock.on(SendMessageCommand).rejects(new Error('queue unavailable'));
    const core = createCore(fx.config, { ddb: fx.emulators.clients.ddb, sqs }, { clock: fx.clock });
    const { task } = await core.service.submit({ owner: 'faults', operation: 'delay', params: { seconds: 0, echo: 'kept' } });
    expect(task.status).toBe('pending');
    // Marked due now instead of after the grace period.
    expect((await core.store.get(task.taskId))!.sweepAt).toBeLessThanOrEqual(fx.clock());

    // The queue is back: the next sweep re-dispatches it through the real emulator.
    const report = await sweep(fx.core.deps);
    expect(report.redispatched).toBe(1);
    await fx.drainQueue();
    expect(await fx.core.store.get(task.taskId)).toMatchObject({ status: 'completed', result: { echo: 'kept' } });
  });

  it('counts a failed re-dispatch as a sweep error and leaves the task due again later', async () => {
    sqsMock.on(SendMessageCommand).rejects(new Error('queue unavailable'));
    const core = createCore(fx.config, { ddb: fx.emulators.clients.ddb, sqs }, { clock: fx.clock });
    const { task } = await core.service.submit({ owner: 'faults', operation: 'delay', params: { seconds: 0 } });
    const report = await sweep(core.deps);
    expect(report.errors).toBe(1);
    expect(await core.store.get(task.taskId)).toMatchObject({ status: 'pending' });
    expect((await core.store.get(task.taskId))!.sweepAt).toBeGreaterThan(fx.clock());
    await core.service.cancel('faults', task.taskId);
  });
});

/** A 30 s delay task as a successful claim returns it (its one attempt, lease "me"). */
function claimedDelay(taskId: string): TaskRecord {
  const now = Date.now();
  return {
    taskId,
    owner: 'faults',
    operation: 'delay',
    params: { seconds: 30 },
    status: 'processing',
    attempt: 1,
    maxAttempts: 1,
    createdAt: now,
    updatedAt: now,
    deadlineAt: now + 60_000,
    payloadHash: 'h',
    expiresAt: now / 1000 + 3600,
    leaseId: 'me',
    leaseExpiresAt: now + 1_000,
  };
}

describe('faults: a throttled table', () => {
  const ddb = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
  );
  const ddbMock = mockClient(ddb);
  afterEach(() => ddbMock.reset());
  const core = () =>
    createCore(testConfig(fx.emulators, { LEASE_SECONDS: '1' }), { ddb, sqs: fx.emulators.clients.sqs }, { operations: [delay] });

  it('rejects a submit whose write is throttled and dispatches nothing', async () => {
    ddbMock.on(QueryCommand).resolves({ Count: 0, Items: [] }); // the quota check finds nothing in use
    ddbMock.on(PutCommand).rejects(throttled());
    const dispatched: string[] = [];
    const c = createCore(
      fx.config,
      { ddb, sqs: fx.emulators.clients.sqs },
      { dispatcher: { dispatch: async (id) => void dispatched.push(id) } },
    );
    await expect(c.service.submit({ owner: 'faults', operation: 'delay', params: { seconds: 0 } })).rejects.toThrow(/throughput/);
    expect(dispatched).toEqual([]);
  });

  it('reports a batch item failure when the claim is throttled, so SQS redelivers it', async () => {
    ddbMock.on(UpdateCommand).rejects(throttled());
    const worker = createWorkerHandler(core().deps);
    const event = {
      Records: [
        { messageId: 'm-1', body: JSON.stringify({ taskId: 'AAAAAAAAAAAAAAAAAAAAAA' }) },
        { messageId: 'm-2', body: 'not json' },
        { messageId: 'm-3', body: JSON.stringify({ taskId: 'x'.repeat(5_000) }) },
      ],
    } as SQSEvent;
    const { batchItemFailures } = await worker(event, lambdaContext);
    // The throttled record is retried; the malformed ones are dropped rather than poisoning the queue.
    expect(batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
  });

  it('stops the operation when heartbeats cannot confirm the lease, so no second worker overlaps it', async () => {
    const record = claimedDelay('BBBBBBBBBBBBBBBBBBBBBB');
    // The claim succeeds; every later write is throttled.
    ddbMock.on(UpdateCommand).resolvesOnce({ Attributes: record }).rejects(throttled());
    ddbMock.on(GetCommand).rejects(throttled());
    // 'lost' comes only from the lease aborting the 30 s operation (a finished run would try to write).
    expect(await runTask(core().deps, record.taskId)).toBe('lost');
  });

  it('stops the operation when a heartbeat hangs instead of failing', async () => {
    const record = claimedDelay('CCCCCCCCCCCCCCCCCCCCCC');
    // The claim succeeds; every later write never answers.
    ddbMock
      .on(UpdateCommand)
      .resolvesOnce({ Attributes: record })
      .callsFake(() => new Promise(() => {}));

    // 'lost' within the test's time only if the lease gives up on its own (the operation takes 30 s).
    expect(await runTask(core().deps, record.taskId)).toBe('lost');
  });
});
