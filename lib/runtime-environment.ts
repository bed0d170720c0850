import { ENV_VARS, type Config } from '../lambda/shared/config.js';

/** Runtime variables the stack sets itself from the resources it creates, and why a user cannot. */
export const STACK_SUPPLIED: Readonly<Record<string, string>> = {
  [ENV_VARS['state.tableName']]: 'the stack creates the table and passes its name',
  [ENV_VARS['queue.url']]: 'the stack creates the queue and passes its URL',
  [ENV_VARS['api.authDisabled']]: 'choose the auth mode with -c auth=jwt|apikey|none',
};

/** Where the handlers find the resources the stack created. */
export interface RuntimeResources {
  /** The tasks table's name (TASK_TABLE). */
  readonly tableName: string;
  /** The work queue's URL (TASK_QUEUE_URL). */
  readonly queueUrl: string;
}

/**
 * The Lambda environment for a validated configuration: every setting under its ENV_VARS name, so
 * the handlers' `loadConfig(process.env)` reads back exactly what synth validated.
 */
export function runtimeEnvironment(config: Config, resources: RuntimeResources): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [path, name] of Object.entries(ENV_VARS)) {
    if (name in STACK_SUPPLIED) continue;
    const [section, key] = path.split('.') as [keyof Config, string];
    const value = (config[section] as Record<string, unknown>)[key];
    const text = Array.isArray(value) ? value.join(',') : String(value);
    // An empty list reads back as its default (empty), so it needs no variable.
    if (text !== '') env[name] = text;
  }
  env[ENV_VARS['state.tableName']] = resources.tableName;
  env[ENV_VARS['queue.url']] = resources.queueUrl;
  return env;
}
