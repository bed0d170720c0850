import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Operation } from '../operations/operation.js';
import type { Config } from '../shared/config.js';
import { createHandleTools } from './handle-tools.js';
import { createOperationTools } from './operation-tools.js';
import type { ToolSpec } from './tool-spec.js';

/** Every tool the server offers, by name, with the tools/list answer prepared once. */
export interface ToolCatalog {
  readonly tools: ReadonlyMap<string, ToolSpec>;
  readonly definitions: readonly Tool[];
}

const built = new WeakMap<readonly Operation[], WeakMap<Config, ToolCatalog>>();

/**
 * The four handle tools plus one typed tool per operation. Built once per operations list and config
 * (converting zod to JSON Schema is the costly part), then shared by every per-request server.
 * @throws Error when an operation's name collides with another tool's
 */
export function toolCatalog(operations: readonly Operation[], config: Config): ToolCatalog {
  let byConfig = built.get(operations);
  if (!byConfig) {
    byConfig = new WeakMap();
    built.set(operations, byConfig);
  }
  let catalog = byConfig.get(config);
  if (!catalog) {
    const specs = [...createHandleTools(operations, config), ...createOperationTools(operations, config)];
    const tools = new Map<string, ToolSpec>();
    for (const spec of specs) {
      if (tools.has(spec.definition.name)) throw new Error(`two tools are named ${spec.definition.name}`);
      tools.set(spec.definition.name, spec);
    }
    catalog = { tools, definitions: specs.map((spec) => spec.definition) };
    byConfig.set(config, catalog);
  }
  return catalog;
}
