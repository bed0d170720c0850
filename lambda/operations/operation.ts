import type { z } from 'zod';
import type { Config } from '../shared/config.js';

/** What an operation gets besides its parameters. */
export interface OperationContext {
  /** The task's reference: stable across attempts and re-dispatch (e.g. an idempotency key downstream). */
  taskId: string;
  /** Fires at the task's deadline, the worker's own time limit, or on cancellation. */
  signal: AbortSignal;
  /** Epoch ms after which the result is discarded. */
  deadlineAt: number;
  /** 1 on the first run, higher on retries. */
  attempt: number;
  config: Config;
  /** Records progress for pollers; cheap to call often (writes are coalesced). */
  reportProgress(percent: number, message?: string): void;
}

/** How a retryable failure is retried: exponential backoff from `baseDelaySeconds`. */
export interface RetryPolicy {
  maxAttempts: number;
  baseDelaySeconds: number;
}

/** A long-running external call that can run behind a task handle. */
export interface Operation<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  input: S;
  /** The task's SLA when the caller sets no max_wait_seconds. @default config DEFAULT_TIMEOUT_SECONDS */
  defaultTimeoutSeconds?: number;
  retry: RetryPolicy;
  /**
   * Top-level parameters that carry credentials (e.g. headers): kept apart from the rest, handed to
   * the worker, never shown back, and dropped when the task ends.
   */
  secretParams?: readonly string[];
  execute(params: z.output<S>, ctx: OperationContext): Promise<unknown>;
}

/** An operation's own failure; `retryable` sends the task back to pending while attempts remain. */
export class OperationError extends Error {
  readonly retryable: boolean;

  constructor(message: string, options: ErrorOptions & { retryable?: boolean } = {}) {
    super(message, options);
    this.name = 'OperationError';
    this.retryable = options.retryable ?? false;
  }
}

/** Declares an operation with its parameter types inferred from its schema. */
export function defineOperation<S extends z.ZodType>(op: Operation<S>): Operation<S> {
  return op;
}
