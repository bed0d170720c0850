import { UnauthorizedError as SdkUnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode as McpErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { AsyncTaskError, ClientErrorCode, ConnectionError, TaskRequestError, type TaskErrorInfo } from './errors.js';

// Failures to reach a host at all (Node's system errors and undici's own), as opposed to a bad answer.
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/** Where a request went and what it was about, for the error message. */
export interface RequestContext {
  url?: string;
  ref?: string;
}

/**
 * Any failure of an SDK call as this package's typed errors: the server's `{ code, message,
 * retryable }` as a TaskRequestError, HTTP and network failures as a ConnectionError. Anything
 * unrecognised (a bug) is returned unchanged.
 */
export function toClientError(error: unknown, context: RequestContext = {}): Error {
  const { ref } = context;
  const where = context.url ?? 'the MCP server';
  if (error instanceof AsyncTaskError) return error;
  if (error instanceof McpError) {
    const info = serverErrorInfo(error.data);
    if (info) return new TaskRequestError(info, { ref, cause: error });
    if (error.code === McpErrorCode.ConnectionClosed) {
      return new ConnectionError(ClientErrorCode.Unreachable, `the connection to ${where} closed`, { ref, cause: error });
    }
    const code = error.code === McpErrorCode.RequestTimeout ? ClientErrorCode.RequestTimeout : ClientErrorCode.ProtocolError;
    const message = error.message.replace(/^(MCP error -?\d+: )+/, '');
    return new TaskRequestError({ code, message, retryable: code === ClientErrorCode.RequestTimeout }, { ref, cause: error });
  }
  if (error instanceof StreamableHTTPError && typeof error.code === 'number' && error.code > 0) {
    const status = error.code;
    const detail = jsonRpcMessage(error.message);
    if (status === 401 || status === 403) {
      return new ConnectionError(
        ClientErrorCode.Unauthorized,
        `${where} refused the credentials (HTTP ${status}${detail ? `: ${detail}` : ''}); pass a valid bearer token`,
        { status, ref, cause: error },
      );
    }
    const hint = status === 404 && !detail ? ' (is this the MCP endpoint, e.g. http://127.0.0.1:3000/mcp?)' : '';
    return new ConnectionError(ClientErrorCode.ProtocolError, `${where} answered HTTP ${status}${detail ? `: ${detail}` : ''}${hint}`, {
      status,
      ref,
      cause: error,
      retryable: status === 429 || status >= 500,
    });
  }
  if (error instanceof SdkUnauthorizedError) {
    return new ConnectionError(ClientErrorCode.Unauthorized, `${where} refused the credentials; pass a valid bearer token`, {
      ref,
      cause: error,
    });
  }
  // fetch reports every network failure as a TypeError with the reason as its cause.
  const networkFailure =
    networkErrorCode(error) ?? (error instanceof TypeError && error.cause instanceof Error ? error.cause.message : undefined);
  if (networkFailure) {
    return new ConnectionError(ClientErrorCode.Unreachable, `cannot reach ${where} (${networkFailure}); is the server running?`, {
      ref,
      cause: error,
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Our server's error shape in a JSON-RPC error's data, if that is what it carries. */
export function serverErrorInfo(data: unknown): TaskErrorInfo | undefined {
  const candidate = data as Partial<TaskErrorInfo> | null | undefined;
  if (!candidate || typeof candidate.code !== 'string' || typeof candidate.message !== 'string') return undefined;
  return { code: candidate.code, message: candidate.message, retryable: candidate.retryable === true };
}

/** The first network error code in an error's cause chain (fetch wraps them in `TypeError: fetch failed`). */
function networkErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE.has(code)) return code;
    const nested = (current as { errors?: unknown }).errors; // AggregateError from happy-eyeballs connects
    if (Array.isArray(nested)) {
      const inner = nested.map(networkErrorCode).find(Boolean);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** The server's own words from a refused HTTP request's JSON-RPC body, for the one-line message. */
function jsonRpcMessage(sdkMessage: string): string | undefined {
  const start = sdkMessage.indexOf('{');
  if (start < 0) return undefined;
  try {
    const body = JSON.parse(sdkMessage.slice(start)) as { error?: { message?: unknown } };
    return typeof body.error?.message === 'string' ? body.error.message : undefined;
  } catch {
    return undefined;
  }
}
