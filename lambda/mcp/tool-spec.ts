import type { Log } from '../shared/log.js';
import type { CallToolResult, CreateTaskResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import * as z from 'zod';
import type { Config } from '../shared/config.js';
import { ErrorCode, TaskError } from '../tasks/task-error.js';
import { validationMessage } from '../tasks/validation-message.js';
import type { TaskService } from '../tasks/task-service-types.js';
import { validationError } from './tool-result.js';

/** What a tool call runs with: the caller, the service scoped by it, and the request's abort signal. */
export interface ToolContext {
  service: TaskService;
  principal: string;
  config: Config;
  logger?: Log;
  signal?: AbortSignal;
}

/** One tool: its tools/list entry and what a call does. */
export interface ToolSpec {
  readonly definition: Tool;
  /** A plain tools/call; failures come back as isError results, never thrown. */
  call(args: unknown, ctx: ToolContext): Promise<CallToolResult>;
  /**
   * A task-augmented tools/call (present on tools with `execution.taskSupport`).
   * @throws TaskError validation_error and the service's submit errors
   */
  createTask?(args: unknown, ctx: ToolContext): Promise<CreateTaskResult>;
}

/**
 * A zod schema as the JSON Schema (draft-07, like the SDK's own) that tools/list publishes. Converted
 * on first read, once: a tools/call never reads it, so a cold start that answers one does not pay for
 * converting every tool's schemas (the costliest part of building the tool catalog).
 */
export function toToolJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Tool['inputSchema'] {
  let converted: Tool['inputSchema'] | undefined;
  const target = () => (converted ??= z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as Tool['inputSchema']);
  // Every read of the object (properties, keys, descriptors, JSON.stringify) goes to the converted schema.
  return new Proxy({} as Tool['inputSchema'], {
    get: (_, key) => Reflect.get(target(), key),
    has: (_, key) => Reflect.has(target(), key),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(target()),
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
}

/** Parses a call's arguments; a failure is the isError result to return. */
export function parseArguments<S extends z.ZodType>(
  schema: S,
  args: unknown,
): { ok: true; data: z.output<S> } | { ok: false; result: CallToolResult } {
  const parsed = schema.safeParse(args ?? {});
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, result: validationError(validationMessage(parsed.error)) };
}

/**
 * Parses a task-augmented call's arguments.
 * @throws TaskError validation_error naming the fields
 */
export function parseTaskArguments<S extends z.ZodType>(schema: S, args: unknown): z.output<S> {
  const parsed = schema.safeParse(args ?? {});
  if (!parsed.success) throw new TaskError(ErrorCode.ValidationError, validationMessage(parsed.error));
  return parsed.data;
}
