import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { afterAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../lambda/shared/aws-clients.js';
import { systemClock } from '../../lambda/shared/clock.js';
import { DynamoTaskStore } from '../../lambda/tasks/dynamo-task-store.js';
import { startEmulators } from '../../local/emulators.js';

/** A data directory written by a version whose table had only the byOwner and active indexes. */

const dir = mkdtempSync(join(tmpdir(), 'mcp-async-tasks-upgrade-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writeOldTable(): Promise<void> {
  const server: Server = dynalite({ path: dir, createTableMs: 0 });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const clients = createAwsClients({ dynamodb: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sqs: 'http://127.0.0.1:9' });
  const index = (name: string, partitionKey: string, sortKey: string) => ({
    IndexName: name,
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' as const },
      { AttributeName: sortKey, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  });
  await clients.ddb.send(
    new CreateTableCommand({
      TableName: 'mcp-async-tasks',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'taskId', AttributeType: 'S' },
        { AttributeName: 'owner', AttributeType: 'S' },
        { AttributeName: 'createdAt', AttributeType: 'N' },
        { AttributeName: 'activeShard', AttributeType: 'S' },
        { AttributeName: 'sweepAt', AttributeType: 'N' },
      ],
      KeySchema: [{ AttributeName: 'taskId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [index('byOwner', 'owner', 'createdAt'), index('active', 'activeShard', 'sweepAt')],
    }),
  );
  const now = Date.now();
  for (const [taskId, status] of [
    ['OLDLIVExxxxxxxxxxxxxxx', 'pending'],
    ['OLDDONExxxxxxxxxxxxxxx', 'completed'],
  ] as const) {
    // The old layout: params and result as DynamoDB maps.
    await clients.ddb.send(
      new PutCommand({
        TableName: 'mcp-async-tasks',
        Item: {
          taskId,
          owner: 'old-owner',
          operation: 'delay',
          params: { seconds: 0, echo: 'kept' },
          status,
          attempt: 0,
          maxAttempts: 3,
          createdAt: now,
          updatedAt: now,
          deadlineAt: now + 60_000,
          payloadHash: 'h',
          expiresAt: Math.floor(now / 1000) + 3_600,
          ...(status === 'pending' ? { activeShard: '1', sweepAt: now + 60_000 } : { result: { echo: 'kept' } }),
        },
      }),
    );
  }
  clients.ddb.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('an older data directory', () => {
  it('gains the missing index on start, keeping every record, with its live tasks counted for quotas', async () => {
    await writeOldTable();

    const emulators = await startEmulators({ dataDir: dir });
    try {
      const { Table } = await emulators.clients.ddb.send(new DescribeTableCommand({ TableName: emulators.tableName }));
      const store = new DynamoTaskStore(emulators.clients.ddb, emulators.tableName, systemClock);

      expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(['active', 'byOwner', 'liveByOwner']);
      expect(await store.get('OLDLIVExxxxxxxxxxxxxxx')).toMatchObject({ status: 'pending', params: { seconds: 0, echo: 'kept' } });
      expect(await store.get('OLDDONExxxxxxxxxxxxxxx')).toMatchObject({ status: 'completed', result: { echo: 'kept' } });
      expect(await store.usage('old-owner', { live: 10, startedInWindow: 10, windowStart: 0 })).toMatchObject({
        live: 1,
        startedInWindow: 2,
      });
    } finally {
      await emulators.stop();
    }
  });
});
