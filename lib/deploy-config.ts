import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';
import { ConfigError, ENV_VARS, loadConfig, type Config } from '../lambda/shared/config.js';
import { STACK_SUPPLIED } from './runtime-environment.js';

/** How callers authenticate: an OIDC JWT, an API key checked by a Lambda authorizer, or nobody. */
export const AUTH_MODES = ['jwt', 'apikey', 'none'] as const;
/** One of AUTH_MODES. */
export type AuthMode = (typeof AUTH_MODES)[number];

/** Stage names on which synth refuses `auth=none` and `removalPolicy=destroy`. */
const PRODUCTION_STAGES = new Set(['prod', 'production']);

const VALID_RETENTION_DAYS = new Set(Object.values(RetentionDays).filter((v): v is number => typeof v === 'number'));

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Settings that exist only at deploy time (the runtime never reads them), each a cdk.json context
 * key or `-c key=value`.
 */
export const deploySettingsSchema = z.object({
  /** Part of the stack name (`McpAsyncTasks-<stage>`); `prod`/`production` get the strict checks. */
  stage: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,23}$/, 'use 1-24 lowercase letters, digits or dashes, starting with a letter')
    .default('dev'),
  auth: z.enum(AUTH_MODES).default('apikey'),
  /** OIDC issuer URL (https) for `auth=jwt`. */
  jwtIssuer: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).optional(),
  /** Accepted `aud` values for `auth=jwt`: a comma-separated string or a list. */
  jwtAudience: z
    .union([
      z.string().transform((s) =>
        s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
      ),
      z.array(z.string().min(1)),
    ])
    .optional(),
  /** Subscribed to the alarm topic when set (the address must confirm the subscription). */
  alarmEmail: z.email().optional(),
  apiThrottleRate: int(1, 10_000).default(50),
  apiThrottleBurst: int(1, 5_000).default(100),
  apiMemoryMb: int(128, 10_240).default(1_024),
  /** At most 29: API Gateway gives up on an integration after 30 s. */
  apiTimeoutSeconds: int(3, 29).default(29),
  /** Messages per worker invocation; they share one 900 s run, so 1 unless tasks are short. */
  workerBatchSize: int(1, 10).default(1),
  /** Concurrent worker invocations the SQS event source may start (2-1000); default MAX_CONCURRENCY. */
  workerMaxConcurrency: int(2, 1_000).optional(),
  logRetentionDays: z.coerce
    .number()
    .int()
    .refine((d) => VALID_RETENTION_DAYS.has(d), `must be one of ${[...VALID_RETENTION_DAYS].join(', ')}`)
    .default(30),
  /** What `cdk destroy` does with the tasks table, the API key table and the log groups. */
  removalPolicy: z.enum(['retain', 'destroy']).default('retain'),
});

/** Validated deploy-time settings. */
export type DeploySettings = z.infer<typeof deploySettingsSchema> & { workerMaxConcurrency: number };

/** Everything the stack needs: the runtime configuration and the deploy-time settings. */
export interface DeployConfig {
  readonly config: Config;
  readonly settings: DeploySettings;
}

/** Reads one context value (cdk.json or `-c`), e.g. `(key) => app.node.tryGetContext(key)`. */
export type ContextReader = (key: string) => unknown;

/**
 * Validates the runtime configuration (through the runtime's own `loadConfig`, with context keys
 * named as its environment variables) and the deploy-time settings.
 * @throws ConfigError naming the first bad context key.
 */
export function readDeployConfig(context: ContextReader): DeployConfig {
  const vars: Record<string, string | undefined> = {};
  for (const name of Object.values(ENV_VARS)) {
    const value = context(name);
    if (value === undefined || value === null || value === '') continue;
    if (name in STACK_SUPPLIED) throw new ConfigError(`Context ${name} cannot be set: ${STACK_SUPPLIED[name]}`);
    vars[name] = Array.isArray(value) ? value.join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  const config = loadConfig(vars);

  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(deploySettingsSchema.shape)) {
    const value = context(key);
    if (value !== undefined && value !== null && value !== '') raw[key] = value;
  }
  const parsed = deploySettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0]);
    throw new ConfigError(`Invalid ${key}=${JSON.stringify(raw[key] ?? '')}: ${issue.message}`);
  }
  const settings = parsed.data;
  const workerMaxConcurrency = settings.workerMaxConcurrency ?? config.execution.maxConcurrency;
  const problem = crossCheck({ ...settings, workerMaxConcurrency }, config);
  if (problem) throw new ConfigError(problem);
  return { config, settings: { ...settings, workerMaxConcurrency } };
}

/** Rules that span several keys; returns the first violation, naming the key to change. */
function crossCheck(settings: DeploySettings, config: Config): string | undefined {
  const production = PRODUCTION_STAGES.has(settings.stage);
  if (settings.auth === 'none' && production) {
    return `Invalid auth="none": refused on stage "${settings.stage}"; use auth=jwt or auth=apikey`;
  }
  if (settings.removalPolicy === 'destroy' && production) {
    return `Invalid removalPolicy="destroy": refused on stage "${settings.stage}", whose task data must survive a cdk destroy`;
  }
  if (settings.auth === 'jwt' && !settings.jwtIssuer) return 'Missing jwtIssuer: required when auth=jwt (the OIDC issuer URL)';
  if (settings.auth === 'jwt' && !settings.jwtAudience?.length) {
    return 'Missing jwtAudience: required when auth=jwt (the audience your tokens carry)';
  }
  if (settings.workerMaxConcurrency < 2) {
    return `Invalid workerMaxConcurrency=${settings.workerMaxConcurrency} (from MAX_CONCURRENCY): the SQS event source needs at least 2`;
  }
  const longestWait = Math.max(config.polling.maxWaitSeconds, config.api.taskResultWaitSeconds);
  if (settings.apiTimeoutSeconds <= longestWait) {
    return (
      `Invalid apiTimeoutSeconds=${settings.apiTimeoutSeconds}: must exceed the longest wait the api holds a request ` +
      `(POLL_MAX_WAIT_SECONDS/TASK_RESULT_WAIT_SECONDS = ${longestWait})`
    );
  }
  return undefined;
}
