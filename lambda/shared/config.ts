import * as z from 'zod';
import { parseHostPort } from './host-port.js';

/** A non-negative integer up to `max` (seconds, or a count where 0 means off). */
const seconds = (max: number) => z.coerce.number().int().min(0).max(max);
const positive = (max: number) => z.coerce.number().int().min(1).max(max);
const list = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .or(z.array(z.string()));
const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);

/** The whole configuration: one schema, sections as a user reads them, every default in one place. */
export const configSchema = z.object({
  server: z.object({
    name: z.string().min(1).default('mcp-async-tasks'),
    version: z.string().min(1).default('0.1.0'),
  }),
  state: z.object({
    tableName: z.string().min(3).default('mcp-async-tasks'),
    /** How long finished records stay readable. */
    ttlSeconds: positive(365 * 86_400).default(86_400),
  }),
  queue: z.object({
    /** The work queue's URL; empty only where nothing dispatches (the sweeper still needs it). */
    url: z.string().default(''),
  }),
  execution: z.object({
    maxConcurrency: positive(1_000).default(50),
    defaultTimeoutSeconds: positive(900).default(120),
    /** The cap on a caller's max_wait_seconds: one worker run (900 s) less room to record the outcome. */
    maxTimeoutSeconds: positive(870).default(870),
    maxAttempts: positive(10).default(3),
    leaseSeconds: positive(900).default(30),
    /** A pending task not claimed within this long is re-dispatched by the sweeper. */
    dispatchGraceSeconds: positive(3_600).default(60),
    maxParamsBytes: positive(256 * 1024).default(64 * 1024),
    maxResultBytes: positive(380 * 1024).default(300 * 1024),
  }),
  /** Per caller; 0 turns a quota off (and saves the index read it costs each start). */
  quotas: z.object({
    /** Pending and processing tasks one caller may have at once. */
    maxActiveTasksPerCaller: seconds(100_000).default(100),
    /** Tasks one caller may start in any 60 s. */
    maxStartsPerMinutePerCaller: seconds(100_000).default(600),
  }),
  polling: z.object({
    initialIntervalMs: positive(60_000).default(1_000),
    multiplier: z.coerce.number().min(1).max(10).default(2),
    maxIntervalMs: positive(600_000).default(30_000),
    /** Longest a single long-poll (wait_seconds) may hold a request. */
    maxWaitSeconds: seconds(25).default(20),
  }),
  http: z.object({
    /**
     * `host` or `host:port` entries the http_request operation may reach even when they resolve to
     * non-public addresses; a `host:port` entry admits that port only.
     */
    allowHosts: list
      .refine(
        (entries) => entries.every((entry) => parseHostPort(entry) !== undefined),
        'each entry must be host, host:port or [IPv6]:port',
      )
      .default([]),
    maxResponseBytes: positive(10 * 1024 * 1024).default(1024 * 1024),
    /**
     * Ports of this deployment's own listeners (the local stack's emulators and server), refused on
     * any non-public address whatever allowHosts says. Set by the local stack; no variable.
     */
    stackPorts: z.array(z.number().int()).default([]),
  }),
  api: z.object({
    maxBodyBytes: positive(6 * 1024 * 1024).default(256 * 1024),
    /** Only an explicit `true` turns authentication off. */
    authDisabled: bool.default(false),
    /** tasks/result waits at most this long, safely under API Gateway's 30 s. */
    taskResultWaitSeconds: seconds(28).default(25),
  }),
  observability: z.object({
    metricsNamespace: z.string().min(1).default('McpAsyncTasks'),
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO'),
    alertFailureRate: z.coerce.number().gt(0).lt(1).default(0.05),
  }),
});

/** The validated configuration every component receives. */
export type Config = z.infer<typeof configSchema>;

/** Environment variable for each setting: the only place a name is spelled. */
export const ENV_VARS = {
  'server.name': 'SERVER_NAME',
  'server.version': 'SERVER_VERSION',
  'state.tableName': 'TASK_TABLE',
  'state.ttlSeconds': 'TASK_TTL_SECONDS',
  'queue.url': 'TASK_QUEUE_URL',
  'execution.maxConcurrency': 'MAX_CONCURRENCY',
  'execution.defaultTimeoutSeconds': 'DEFAULT_TIMEOUT_SECONDS',
  'execution.maxTimeoutSeconds': 'MAX_TIMEOUT_SECONDS',
  'execution.maxAttempts': 'MAX_ATTEMPTS',
  'execution.leaseSeconds': 'LEASE_SECONDS',
  'execution.dispatchGraceSeconds': 'DISPATCH_GRACE_SECONDS',
  'execution.maxParamsBytes': 'MAX_PARAMS_BYTES',
  'execution.maxResultBytes': 'MAX_RESULT_BYTES',
  'quotas.maxActiveTasksPerCaller': 'MAX_ACTIVE_TASKS_PER_CALLER',
  'quotas.maxStartsPerMinutePerCaller': 'MAX_STARTS_PER_MINUTE_PER_CALLER',
  'polling.initialIntervalMs': 'POLL_INITIAL_INTERVAL_MS',
  'polling.multiplier': 'POLL_MULTIPLIER',
  'polling.maxIntervalMs': 'POLL_MAX_INTERVAL_MS',
  'polling.maxWaitSeconds': 'POLL_MAX_WAIT_SECONDS',
  'http.allowHosts': 'HTTP_ALLOW_HOSTS',
  'http.maxResponseBytes': 'HTTP_MAX_RESPONSE_BYTES',
  'api.maxBodyBytes': 'API_MAX_BODY_BYTES',
  'api.authDisabled': 'AUTH_DISABLED',
  'api.taskResultWaitSeconds': 'TASK_RESULT_WAIT_SECONDS',
  'observability.metricsNamespace': 'METRICS_NAMESPACE',
  'observability.logLevel': 'LOG_LEVEL',
  'observability.alertFailureRate': 'ALERT_FAILURE_RATE',
} as const satisfies Record<string, string>;

/** A configuration value that failed validation; the message names the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Builds the configuration from variables named as in ENV_VARS (the process environment, or CDK
 * context passed through by the same names); unset or empty variables take their defaults.
 * @throws ConfigError naming the first bad variable.
 */
export function loadConfig(vars: Readonly<Record<string, string | undefined>> = process.env): Config {
  const raw: Record<string, Record<string, string>> = {};
  for (const [path, name] of Object.entries(ENV_VARS)) {
    const [section, key] = path.split('.') as [string, string];
    raw[section] ??= {};
    const value = vars[name];
    if (value !== undefined && value !== '') raw[section][key] = value;
  }
  const parsed = configSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const name = ENV_VARS[issue.path.slice(0, 2).join('.') as keyof typeof ENV_VARS] ?? issue.path.join('.');
  throw new ConfigError(`Invalid ${name}=${JSON.stringify(vars[name] ?? '')}: ${issue.message}`);
}
