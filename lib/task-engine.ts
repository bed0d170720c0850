import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Config } from '../lambda/shared/config.js';
import { WORKER_TIMEOUT_SECONDS } from '../lambda/shared/resources.js';
import { HandlerFunction } from './handler-function.js';
import { runtimeEnvironment } from './runtime-environment.js';
import { TaskQueue } from './task-queue.js';
import { TaskTable } from './task-table.js';

/** Properties of a TaskEngine. */
export interface TaskEngineProps {
  /** The validated runtime configuration, handed to every function as its environment. */
  readonly config: Config;
  /** For the tasks table and the functions' log groups. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** Messages per worker invocation. @default 1 */
  readonly workerBatchSize?: number;
  /** Concurrent worker invocations (2-1000). @default config.execution.maxConcurrency */
  readonly workerMaxConcurrency?: number;
  /** @default 512 */
  readonly workerMemorySize?: number;
  /** How often the sweeper looks for timed-out, lost and undispatched tasks. @default Schedule.rate(Duration.minutes(1)) */
  readonly sweepSchedule?: Schedule;
}

/**
 * The task engine behind the api: the tasks table, the work queue, the worker that runs tasks from
 * the queue and the sweeper that finishes what workers leave behind.
 */
export class TaskEngine extends Construct {
  readonly table: TaskTable;
  readonly queue: TaskQueue;
  readonly worker: HandlerFunction;
  readonly sweeper: HandlerFunction;
  readonly sweepRule: Rule;
  /** The runtime configuration plus TASK_TABLE and TASK_QUEUE_URL: what every handler needs. */
  readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: TaskEngineProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const workerTimeout = Duration.seconds(WORKER_TIMEOUT_SECONDS);

    this.table = new TaskTable(this, 'Tasks', { removalPolicy });
    this.queue = new TaskQueue(this, 'Work', { consumerTimeout: workerTimeout });
    this.environment = runtimeEnvironment(props.config, {
      tableName: this.table.table.tableName,
      queueUrl: this.queue.queue.queueUrl,
    });

    this.worker = new HandlerFunction(this, 'Worker', {
      handler: 'worker',
      description: 'Runs tasks from the work queue: claim, run the operation, record the outcome',
      environment: this.environment,
      memorySize: props.workerMemorySize ?? 512,
      timeout: workerTimeout,
      logRetention,
      logRemovalPolicy: removalPolicy,
    });
    this.grantWork(this.worker.function);
    this.queue.addConsumer(this.worker.function, {
      batchSize: props.workerBatchSize ?? 1,
      maxConcurrency: props.workerMaxConcurrency ?? props.config.execution.maxConcurrency,
    });

    this.sweeper = new HandlerFunction(this, 'Sweeper', {
      handler: 'sweeper',
      description: 'Fails timed-out tasks, recovers lost leases and re-dispatches lost messages',
      environment: this.environment,
      memorySize: 256,
      // Under the one-minute schedule, so one sweep ends before the next is due.
      timeout: Duration.seconds(55),
      // Sweeps never overlap.
      reservedConcurrentExecutions: 1,
      logRetention,
      logRemovalPolicy: removalPolicy,
    });
    this.grantSweep(this.sweeper.function);
    // A sweep that cannot start now is superseded by the next one: never queue or retry it.
    this.sweeper.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    this.sweepRule = new Rule(this, 'SweepSchedule', {
      description: 'Runs the task sweeper',
      schedule: props.sweepSchedule ?? Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.sweeper.function, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
    });
  }

  /** What the api needs: create, read, cancel and list tasks, and dispatch them to the queue. */
  grantSubmit(grantee: IGrantable): void {
    this.table.grantSubmit(grantee);
    this.queue.grantDispatch(grantee);
  }

  /** What a worker needs besides consuming the queue: update its task, and re-dispatch retries. */
  grantWork(grantee: IGrantable): void {
    this.table.grantWork(grantee);
    this.queue.grantDispatch(grantee);
  }

  /** What the sweeper needs: scan live tasks, finish or reset them, and re-dispatch lost ones. */
  grantSweep(grantee: IGrantable): void {
    this.table.grantSweep(grantee);
    this.queue.grantDispatch(grantee);
  }
}
