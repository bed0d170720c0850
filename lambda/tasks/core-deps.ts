import type { Log } from '../shared/log.js';
import type { Operation } from '../operations/operation.js';
import type { Clock } from '../shared/clock.js';
import type { Config } from '../shared/config.js';
import type { TaskTelemetry } from '../shared/telemetry.js';
import type { Dispatcher } from './dispatcher.js';
import type { TaskStore } from './task-store.js';

/** What the service, the worker and the sweeper are built from, injected (tests swap any part). */
export interface CoreDeps {
  config: Config;
  store: TaskStore;
  dispatcher: Dispatcher;
  operations: readonly Operation[];
  clock: Clock;
  telemetry: TaskTelemetry;
  logger: Log;
}
