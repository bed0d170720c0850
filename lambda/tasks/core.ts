import type { Log } from '../shared/log.js';
import { operations as registeredOperations } from '../operations/index.js';
import type { Operation } from '../operations/operation.js';
import type { AwsClients } from '../shared/aws-clients.js';
import { systemClock, type Clock } from '../shared/clock.js';
import type { Config } from '../shared/config.js';
import { createLogger, noTelemetry, type TaskTelemetry } from '../shared/telemetry.js';
import { SqsDispatcher, type Dispatcher } from './dispatcher.js';
import type { CoreDeps } from './core-deps.js';
import { createTaskService } from './task-service.js';
import type { TaskService } from './task-service-types.js';
import { DynamoTaskStore } from './dynamo-task-store.js';
import type { TaskStore } from './task-store.js';

/** Optional replacements for the defaults (tests inject a clock, a dispatcher, or operations). */
export interface CoreOptions {
  clock?: Clock;
  telemetry?: TaskTelemetry;
  logger?: Log;
  dispatcher?: Dispatcher;
  /** @default the DynamoDB store on `clients.ddb` */
  store?: TaskStore;
  operations?: readonly Operation[];
}

/** The wired core: one store, dispatcher and service, and the dependency bundle the worker and sweeper take. */
export interface Core {
  store: TaskStore;
  dispatcher: Dispatcher;
  service: TaskService;
  operations: readonly Operation[];
  /** What the service, the worker and the sweeper are built from. */
  deps: CoreDeps;
}

/** Wires the core from configuration and AWS clients (built once per process). */
export function createCore(config: Config, clients: AwsClients, options: CoreOptions = {}): Core {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config);
  const telemetry = options.telemetry ?? noTelemetry;
  const operations = options.operations ?? registeredOperations;
  const store = options.store ?? new DynamoTaskStore(clients.ddb, config.state.tableName, clock);
  const dispatcher = options.dispatcher ?? new SqsDispatcher(clients.sqs, config.queue.url);
  const deps = { config, store, dispatcher, operations, clock, telemetry, logger };
  return { store, dispatcher, operations, service: createTaskService(deps), deps };
}
