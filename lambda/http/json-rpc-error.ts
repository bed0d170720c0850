import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** JSON-RPC error codes the HTTP layer answers with itself (the rest come from the MCP SDK). */
export const JsonRpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InternalError: -32603,
  /** Implementation-defined server error: refusals before any JSON-RPC processing. */
  ServerError: -32000,
} as const;

/** Extra parts of an HTTP-level JSON-RPC error. */
export interface JsonRpcErrorOptions {
  headers?: Record<string, string>;
  /** Our stable error code (docs/ARCHITECTURE.md), so clients can branch without parsing the message. */
  errorCode?: string;
}

/**
 * An API Gateway result carrying a JSON-RPC error with `id: null` — the shape MCP clients expect
 * from an HTTP-level refusal (the SDK transport answers its own refusals the same way).
 */
export function jsonRpcErrorResult(
  statusCode: number,
  code: number,
  message: string,
  options: JsonRpcErrorOptions = {},
): APIGatewayProxyStructuredResultV2 {
  const error = { code, message, ...(options.errorCode && { data: { code: options.errorCode } }) };
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify({ jsonrpc: '2.0', error, id: null }),
    isBase64Encoded: false,
  };
}
