import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ClientErrorCode, TaskRequestError } from './errors.js';
import { serverErrorInfo, type RequestContext } from './request-errors.js';

/**
 * The value a handle tool answered with: its structuredContent, or the same JSON from its text.
 * @throws TaskRequestError carrying the server's `{ code, message, retryable }` when the result is an error
 */
export function readToolReply<T>(result: unknown, context: RequestContext = {}): T {
  const reply = result as CallToolResult;
  const text = (reply.content ?? [])
    .map((part) => (part.type === 'text' ? part.text : ''))
    .join('')
    .trim();
  if (reply.isError) {
    const info = serverErrorInfo(parseJson<{ error?: unknown }>(text)?.error);
    throw new TaskRequestError(
      info ?? { code: ClientErrorCode.ProtocolError, message: text || 'the tool failed without saying why', retryable: false },
      {
        ref: context.ref,
      },
    );
  }
  const value = reply.structuredContent ?? parseJson(text);
  if (value === undefined || value === null || typeof value !== 'object') {
    throw new TaskRequestError(
      { code: ClientErrorCode.ProtocolError, message: `unexpected tool answer: ${text.slice(0, 200) || '(empty)'}`, retryable: false },
      {
        ref: context.ref,
      },
    );
  }
  return value as T;
}

function parseJson<T = unknown>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
