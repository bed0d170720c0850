import { once } from 'node:events';
import type { AddressInfo, Server } from 'node:net';
import { setTimeout } from 'node:timers/promises';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { PutCommand, paginateScan } from '@aws-sdk/lib-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import dynalite from 'dynalite';
import { createAwsClients, type AwsClients } from '../lambda/shared/aws-clients.js';
import { TASK_QUEUE, TASK_TABLE, WORKER_TIMEOUT_SECONDS, TASK_INDEXES } from '../lambda/shared/resources.js';
import { startLoopbackSqs, type LoopbackSqs } from './loopback-sqs.js';

/** Embedded DynamoDB and SQS, provisioned like the CDK stack, with clients pointed at them. */
export interface Emulators {
  clients: AwsClients;
  tableName: string;
  queueUrl: string;
  dlqUrl: string;
  endpoints: { dynamodb: string; sqs: string };
  stop(): Promise<void>;
}

/** Options for the embedded emulators. */
export interface EmulatorOptions {
  /** Directory for DynamoDB's data; omitted = in memory. SQS always lives in memory. */
  dataDir?: string;
  /** @default 'mcp-async-tasks' */
  tableName?: string;
  /** @default 'mcp-async-tasks-work' */
  queueName?: string;
}

/** Starts dynalite and fauxqs on free loopback ports and creates the table, queue and DLQ. */
export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const tableName = options.tableName ?? 'mcp-async-tasks';
  const queueName = options.queueName ?? 'mcp-async-tasks-work';
  const dynamo: Server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.dataDir && { path: options.dataDir }),
  });
  dynamo.listen(0, '127.0.0.1');
  await Promise.race([once(dynamo, 'listening'), once(dynamo, 'error').then(([e]) => Promise.reject(e))]);
  let sqsServer: LoopbackSqs | undefined;
  try {
    sqsServer = await startLoopbackSqs();
    const endpoints = {
      dynamodb: `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`,
      sqs: `http://127.0.0.1:${sqsServer.port}`,
    };
    const clients = createAwsClients(endpoints);
    await createTable(clients, tableName);
    const { queueUrl, dlqUrl } = await createQueues(clients, queueName);
    const sqs = sqsServer;
    return {
      clients,
      tableName,
      queueUrl,
      dlqUrl,
      endpoints,
      async stop() {
        clients.ddb.destroy();
        clients.sqs.destroy();
        await sqs.stop();
        await new Promise<void>((resolve) => dynamo.close(() => resolve()));
      },
    };
  } catch (error) {
    await sqsServer?.stop();
    dynamo.close();
    throw error;
  }
}

/**
 * Creates the task table from TASK_TABLE unless it already exists (a restart on the same data). A
 * table written by an earlier version that lacks an index is rebuilt around the records it holds.
 */
async function createTable(clients: AwsClients, tableName: string): Promise<void> {
  try {
    await clients.ddb.send(new CreateTableCommand(tableDefinition(tableName)));
    return;
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const { Table } = await clients.ddb.send(new DescribeTableCommand({ TableName: tableName }));
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  if (TASK_INDEXES.some((index) => !present.has(index.name))) await rebuildTable(clients, tableName);
}

/** The task table as the CDK stack defines it. */
function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: TASK_TABLE.partitionKey, AttributeType: 'S' },
      // Every index sorts by a number; createdAt is shared by two of them, so keep one of each.
      ...[...new Set(TASK_INDEXES.map((i) => i.partitionKey))].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
      ...[...new Set(TASK_INDEXES.map((i) => i.sortKey))].map((name) => ({ AttributeName: name, AttributeType: 'N' as const })),
    ],
    KeySchema: [{ AttributeName: TASK_TABLE.partitionKey, KeyType: 'HASH' }],
    GlobalSecondaryIndexes: TASK_INDEXES.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
        { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
      ],
      Projection:
        index.projected.length > 0
          ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.projected] }
          : { ProjectionType: 'KEYS_ONLY' as const },
    })),
  };
}

/**
 * dynalite cannot add an index to a table, so an older table is read whole, dropped, created anew
 * and refilled; live records gain the liveByOwner key their index needs. Local data is small.
 */
async function rebuildTable({ ddb }: AwsClients, tableName: string): Promise<void> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan({ client: ddb }, { TableName: tableName, ConsistentRead: true })) items.push(...(page.Items ?? []));
  await ddb.send(new DeleteTableCommand({ TableName: tableName }));
  await tableGone(ddb, tableName);
  await ddb.send(new CreateTableCommand(tableDefinition(tableName)));
  for (const item of items) {
    const live = item.status === 'pending' || item.status === 'processing';
    await ddb.send(new PutCommand({ TableName: tableName, Item: live ? { liveOwner: item.owner, ...item } : item }));
  }
}

/** DeleteTable returns while the table is still DELETING (on dynalite too); wait until it is gone. */
async function tableGone(ddb: AwsClients['ddb'], tableName: string): Promise<void> {
  for (;;) {
    try {
      await ddb.send(new DescribeTableCommand({ TableName: tableName }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      throw error;
    }
    await setTimeout(10);
  }
}

/** Creates the work queue and its DLQ with the stack's redrive and visibility settings. */
async function createQueues({ sqs }: AwsClients, queueName: string): Promise<{ queueUrl: string; dlqUrl: string }> {
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${queueName}-dlq`,
      Attributes: { MessageRetentionPeriod: String(TASK_QUEUE.dlqRetentionSeconds) },
    }),
  );
  const dlqUrl = dlq.QueueUrl!;
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
  const work = await sqs.send(
    new CreateQueueCommand({
      QueueName: queueName,
      Attributes: {
        VisibilityTimeout: String(TASK_QUEUE.visibilityTimeoutFactor * WORKER_TIMEOUT_SECONDS),
        ReceiveMessageWaitTimeSeconds: String(TASK_QUEUE.receiveWaitSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: TASK_QUEUE.maxReceiveCount }),
      },
    }),
  );
  return { queueUrl: work.QueueUrl!, dlqUrl };
}
