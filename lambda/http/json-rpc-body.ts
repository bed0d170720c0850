import { JSONRPCMessageSchema, JSONRPCRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { validationMessage } from '../tasks/validation-message.js';

/** The body for the transport (`parsedBody` unset when it is not JSON: the transport reads it), or why it is no JSON-RPC message. */
export type JsonRpcBody = { ok: true; parsedBody?: unknown } | { ok: false; message: string };

/**
 * Parses the body once, sparing the transport a stream read, and refuses JSON that is not one
 * JSON-RPC message as an Invalid Request (-32600), where the SDK's transport would call it a parse
 * error and would serve batches, which MCP removed in protocol 2025-06-18 (an empty one even as
 * 202 Accepted). A body that is not JSON is left to the transport, which answers -32700 Parse error
 * after its header checks.
 */
export function readJsonRpcBody(event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>): JsonRpcBody {
  if (!event.body) return { ok: true };
  let body: unknown;
  try {
    body = JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body);
  } catch {
    return { ok: true };
  }
  if (Array.isArray(body)) {
    return {
      ok: false,
      message:
        'Invalid Request: JSON-RPC batches are not supported (MCP removed them in protocol 2025-06-18); send one message per request',
    };
  }
  if (typeof body !== 'object' || body === null) {
    return {
      ok: false,
      message: `Invalid Request: the body is ${body === null ? 'null' : `a ${typeof body}`}, not a JSON-RPC message object`,
    };
  }
  if (JSONRPCMessageSchema.safeParse(body).success) return { ok: true, parsedBody: body };
  // Say what a request (what clients send) lacks: the message schema is a union whose error names no
  // field. A request is one of the union's members, so it fails too.
  return { ok: false, message: `Invalid Request: ${validationMessage(JSONRPCRequestSchema.safeParse(body).error!)}` };
}
