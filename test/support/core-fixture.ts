import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent } from 'aws-lambda';
import { startEmulators, type Emulators } from '../../local/emulators.js';
import { createWorkerHandler } from '../../lambda/handlers/worker.js';
import { loadConfig, type Config } from '../../lambda/shared/config.js';
import { createCore, type Core, type CoreOptions } from '../../lambda/tasks/core.js';
import { MemoryTaskStore } from '../../lambda/tasks/memory-task-store.js';
import type { TaskItem } from '../../lambda/tasks/task-item.js';

/** A clock tests can move forward; it follows real time otherwise. */
export interface TestClock {
  (): number;
  advance(ms: number): void;
}

/** Real time plus an offset the test controls. */
export function testClock(): TestClock {
  let offset = 0;
  const clock = (() => Date.now() + offset) as TestClock;
  clock.advance = (ms) => {
    offset += ms;
  };
  return clock;
}

/** The embedded emulators with a core wired to them. */
export interface CoreFixture {
  emulators: Emulators;
  config: Config;
  clock: TestClock;
  core: Core;
  /** Receives what is on the work queue now and runs it through the real worker handler. */
  drainQueue(): Promise<{ received: number; failures: number }>;
  /** Every item in the table as stored, expired or not. */
  scanAll(): Promise<TaskItem[]>;
  stop(): Promise<void>;
}

/** A quiet, fast configuration for tests; `vars` override by environment variable name. */
export function testConfig(emulators: Emulators, vars: Record<string, string> = {}): Config {
  return loadConfig({
    TASK_TABLE: emulators.tableName,
    TASK_QUEUE_URL: emulators.queueUrl,
    LOG_LEVEL: 'SILENT',
    LEASE_SECONDS: '2',
    ...vars,
  });
}

/**
 * Starts emulators and a core on them. `memoryStore` keeps the records in a MemoryTaskStore (for
 * tests of the layers above the store; the queue stays the real emulator).
 */
export async function startCoreFixture(
  vars: Record<string, string> = {},
  options: CoreOptions & { memoryStore?: boolean } = {},
): Promise<CoreFixture> {
  const emulators = await startEmulators();
  const config = testConfig(emulators, vars);
  const clock = testClock();
  const { memoryStore, ...coreOptions } = options;
  const core = createCore(config, emulators.clients, { clock, ...(memoryStore && { store: new MemoryTaskStore(clock) }), ...coreOptions });
  const worker = createWorkerHandler(core.deps);
  const lambdaContext = { getRemainingTimeInMillis: () => 900_000 } as Context;
  return {
    emulators,
    config,
    clock,
    core,
    async drainQueue() {
      const { Messages = [] } = await emulators.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: emulators.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return { received: 0, failures: 0 };
      const event = {
        Records: Messages.map((m) => ({ messageId: m.MessageId!, receiptHandle: m.ReceiptHandle!, body: m.Body!, eventSource: 'aws:sqs' })),
      } as SQSEvent;
      const { batchItemFailures } = await worker(event, lambdaContext);
      const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
      for (const m of Messages) {
        if (!failed.has(m.MessageId!)) {
          await emulators.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: emulators.queueUrl, ReceiptHandle: m.ReceiptHandle! }));
        }
      }
      return { received: Messages.length, failures: failed.size };
    },
    async scanAll() {
      const { Items = [] } = await emulators.clients.ddb.send(new ScanCommand({ TableName: emulators.tableName, ConsistentRead: true }));
      return Items as TaskItem[];
    },
    stop: () => emulators.stop(),
  };
}
