/** The stable error codes a caller may branch on (docs/ARCHITECTURE.md). */
export const ErrorCode = {
  ValidationError: 'validation_error',
  UnknownOperation: 'unknown_operation',
  NotFound: 'not_found',
  IdempotencyConflict: 'idempotency_conflict',
  PayloadTooLarge: 'payload_too_large',
  Timeout: 'timeout',
  Cancelled: 'cancelled',
  OperationError: 'operation_error',
  WorkerLost: 'worker_lost',
  ResultTooLarge: 'result_too_large',
  /** The operation finished but its result could not be written (the store refused it for good). */
  ResultUnstorable: 'result_unstorable',
  InvalidCursor: 'invalid_cursor',
  QuotaExceeded: 'quota_exceeded',
  Unauthorized: 'unauthorized',
  InternalError: 'internal_error',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The error shape stored on a task and returned to callers. */
export interface TaskErrorInfo {
  code: ErrorCode;
  message: string;
  retryable: boolean;
  /** For quota_exceeded: how long until a retry can succeed. */
  retry_after_ms?: number;
}

/** The error a caller's cancel leaves on the task. */
export function cancelledError(): TaskErrorInfo {
  return { code: ErrorCode.Cancelled, message: 'cancelled by the caller', retryable: false };
}

/** The error the sweeper leaves on a live task past its deadline. */
export function timedOutError(): TaskErrorInfo {
  return { code: ErrorCode.Timeout, message: 'the task did not finish before its deadline (max_wait_seconds)', retryable: true };
}

/** The error the sweeper leaves on a task whose worker died on its last allowed attempt. */
export function workerLostError(attempt: number, maxAttempts: number): TaskErrorInfo {
  return { code: ErrorCode.WorkerLost, message: `the worker stopped responding on attempt ${attempt} of ${maxAttempts}`, retryable: true };
}

/** A failure a caller can act on, carrying its stable code; never a stack trace to the user. */
export class TaskError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, message: string, options: ErrorOptions & { retryable?: boolean; retryAfterMs?: number } = {}) {
    super(message, options);
    this.name = 'TaskError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** The JSON shape callers see. */
  toInfo(): TaskErrorInfo {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.retryAfterMs !== undefined && { retry_after_ms: this.retryAfterMs }),
    };
  }
}
