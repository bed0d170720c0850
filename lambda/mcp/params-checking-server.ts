import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { getLiteralValue, getObjectShape, safeParse, type AnyObjectSchema } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, isJSONRPCRequest, type JSONRPCErrorResponse, type JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { ZodError } from 'zod';
import { validationMessage } from '../tasks/validation-message.js';

/**
 * The SDK's Server, except that a request whose params do not fit its method's schema is answered
 * -32602 Invalid params naming the field. The SDK (1.32.2) parses a request only inside its handler
 * wrapper, where the ZodError becomes -32603 Internal error: a client's mistake (a tools/call whose
 * `arguments` is an array, a tasks/get without `taskId`) reported as the server's. A method without
 * a handler passes on untouched, so it is still answered -32601 Method not found.
 */
export class ParamsCheckingServer extends Server {
  // Not a field initializer: the SDK's own constructors register handlers (initialize, ping, tasks/*)
  // before field initializers run, and one would then reset the map.
  declare private requestSchemas: Map<string, AnyObjectSchema> | undefined;

  override setRequestHandler(...args: Parameters<Server['setRequestHandler']>): void {
    super.setRequestHandler(...args);
    // The SDK has just refused a schema without a method literal, so the shape has one.
    const [schema] = args;
    this.requestSchemas ??= new Map();
    this.requestSchemas.set(String(getLiteralValue(getObjectShape(schema)!.method!)), schema);
  }

  /** Connects as the SDK does, then checks each request's params before the SDK dispatches it. */
  override async connect(transport: Transport): Promise<void> {
    await super.connect(transport);
    const dispatch = transport.onmessage;
    transport.onmessage = (message, extra) => {
      const refusal = isJSONRPCRequest(message) ? this.invalidParams(message) : undefined;
      if (refusal === undefined) dispatch?.(message, extra);
      else transport.send(refusal).catch((error: Error) => this.onerror?.(error));
    };
  }

  private invalidParams(request: JSONRPCRequest): JSONRPCErrorResponse | undefined {
    const schema = this.requestSchemas?.get(request.method);
    const parsed = schema && safeParse(schema, request);
    if (!parsed || parsed.success) return undefined;
    // The SDK's request schemas are zod v4, whose errors carry the issues validationMessage reads.
    const message = `Invalid params: ${validationMessage(parsed.error as ZodError)}`;
    return { jsonrpc: '2.0', id: request.id, error: { code: ErrorCode.InvalidParams, message } };
  }
}
