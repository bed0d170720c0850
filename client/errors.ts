/** Why a task failed, as the server reports it: a stable code, a message, and whether retrying may help. */
export interface TaskErrorInfo {
  code: string;
  message: string;
  retryable: boolean;
}

/** Codes the client itself assigns (the server's own codes are listed in docs/ARCHITECTURE.md). */
export const ClientErrorCode = {
  /** wait() used up its polls while the task was still live. */
  WaitExhausted: 'wait_exhausted',
  /** wait() was stopped through its AbortSignal. */
  Aborted: 'aborted',
  /** Nothing answered at the URL (refused, DNS, reset). */
  Unreachable: 'unreachable',
  /** The server refused the credentials (HTTP 401/403). */
  Unauthorized: 'unauthorized',
  /** The server answered, but not as an MCP endpoint should (wrong path, bad response, JSON-RPC error without our code). */
  ProtocolError: 'protocol_error',
  /** The server lacks what the request needs (e.g. native MCP tasks). */
  Unsupported: 'unsupported',
  /** A request got no answer within its time limit. */
  RequestTimeout: 'request_timeout',
} as const;

/** Every error this client throws: a code to branch on and, where a task is involved, its reference. */
export class AsyncTaskError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  /** The task this error is about, when there is one: keep it to resume, inspect or cancel. */
  readonly ref: string | undefined;

  constructor(code: string, message: string, options: ErrorOptions & { ref?: string; retryable?: boolean } = {}) {
    super(message, options);
    this.name = 'AsyncTaskError';
    this.code = code;
    this.ref = options.ref;
    this.retryable = options.retryable ?? false;
  }
}

/** The task ended in `failed`; `code` and `message` are the server's (`operation_error`, `worker_lost`, …). */
export class TaskFailedError extends AsyncTaskError {
  /** The server's message alone, without the task reference around it. */
  readonly reason: string;

  constructor(ref: string, info: TaskErrorInfo) {
    super(info.code, `task ${ref} failed (${info.code}): ${info.message}`, { ref, retryable: info.retryable });
    this.name = 'TaskFailedError';
    this.reason = info.message;
  }
}

/** The task failed because it ran past its deadline (`max_wait_seconds`); code `timeout`. */
export class TaskTimedOutError extends TaskFailedError {
  constructor(ref: string, info: TaskErrorInfo) {
    super(ref, info);
    this.name = 'TaskTimedOutError';
  }
}

/** The task ended in `cancelled`. */
export class TaskCancelledError extends AsyncTaskError {
  /** The server's message alone (e.g. "cancelled by the caller"). */
  readonly reason: string;

  constructor(ref: string, reason = 'cancelled') {
    super('cancelled', `task ${ref} was cancelled: ${reason}`, { ref });
    this.name = 'TaskCancelledError';
    this.reason = reason;
  }
}

/**
 * wait() made its last allowed poll and the task was still live. The task is not lost: it keeps
 * running on the server, and `wait(error.ref)` resumes.
 */
export class WaitExhaustedError extends AsyncTaskError {
  constructor(
    ref: string,
    readonly polls: number,
    readonly lastStatus: string,
    options: ErrorOptions = {},
  ) {
    const state = lastStatus === 'unknown' ? 'not known to be final' : `still ${lastStatus}`;
    super(
      ClientErrorCode.WaitExhausted,
      `task ${ref} is ${state} after ${polls} ${polls === 1 ? 'poll' : 'polls'}; resume with wait("${ref}")`,
      { ...options, ref, retryable: true },
    );
    this.name = 'WaitExhaustedError';
  }
}

/** wait() was aborted through its signal; the task itself keeps running (cancel it with cancel(ref)). */
export class WaitAbortedError extends AsyncTaskError {
  constructor(ref: string, reason: unknown) {
    super(ClientErrorCode.Aborted, `stopped waiting for task ${ref}; it keeps running on the server`, { ref, cause: reason });
    this.name = 'WaitAbortedError';
  }
}

/**
 * The server refused a request: bad parameters (`validation_error`), an `unknown_operation`, an
 * unknown reference (`not_found`), `quota_exceeded`, …
 */
export class TaskRequestError extends AsyncTaskError {
  constructor(info: TaskErrorInfo, options: ErrorOptions & { ref?: string } = {}) {
    super(info.code, info.message, { ...options, retryable: info.retryable });
    this.name = 'TaskRequestError';
  }
}

/** The MCP endpoint could not be used at all: unreachable, refusing the credentials, or not speaking MCP. */
export class ConnectionError extends AsyncTaskError {
  /** The HTTP status, when the server answered with one. */
  readonly status: number | undefined;

  constructor(
    code: (typeof ClientErrorCode)['Unreachable' | 'Unauthorized' | 'ProtocolError'],
    message: string,
    options: ErrorOptions & { status?: number; retryable?: boolean; ref?: string } = {},
  ) {
    super(code, message, { ...options, retryable: options.retryable ?? code === ClientErrorCode.Unreachable });
    this.name = 'ConnectionError';
    this.status = options.status;
  }
}
