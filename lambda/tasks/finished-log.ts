import type { Log } from '../shared/log.js';
import type { TaskStatus } from './task.js';
import type { ErrorCode } from './task-error.js';

/** Who made the terminal write: the worker that ran it, the sweeper that rescued it, or its caller. */
export type FinishedBy = 'worker' | 'sweeper' | 'caller';

/** What the one terminal log line of a task says. */
export interface FinishedEvent {
  taskId: string;
  status: TaskStatus;
  code?: ErrorCode;
  by: FinishedBy;
  durationMs?: number;
  error?: string;
}

/**
 * Logs `task finished` once per task, right after the conditional write that ended it succeeded:
 * operators (and the fault suite) count on exactly one such line per task.
 */
export function logFinished(logger: Log, event: FinishedEvent): void {
  logger.info('task finished', { ...event });
}
