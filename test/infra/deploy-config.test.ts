import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lambda/shared/config.js';
import { readDeployConfig } from '../../lib/deploy-config.js';
import { runtimeEnvironment } from '../../lib/runtime-environment.js';
import { JWT_CONTEXT } from './stack-fixture.js';

const read = (context: Record<string, unknown>) => readDeployConfig((key) => context[key]);
const refusal = (context: Record<string, unknown>) => {
  try {
    read(context);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(context)}`);
};

describe('Function: readDeployConfig', () => {
  it('gives the runtime defaults and secure deploy defaults for an empty context', () => {
    // Act
    const { config, settings } = read({});

    // Assess
    expect(config).toEqual(loadConfig({}));
    expect(settings).toEqual({
      stage: 'dev',
      auth: 'apikey',
      apiThrottleRate: 50,
      apiThrottleBurst: 100,
      apiMemoryMb: 1024,
      apiTimeoutSeconds: 29,
      workerBatchSize: 1,
      workerMaxConcurrency: 50,
      logRetentionDays: 30,
      removalPolicy: 'retain',
    });
  });

  it('reads runtime settings under their environment variable names, as -c passes them (strings)', () => {
    // Act
    const { config, settings } = read({ ALERT_FAILURE_RATE: '0.1', MAX_CONCURRENCY: '20', HTTP_ALLOW_HOSTS: 'a.example, b.example' });

    // Assess
    expect(config.observability.alertFailureRate).toBe(0.1);
    expect(config.execution.maxConcurrency).toBe(20);
    expect(config.http.allowHosts).toEqual(['a.example', 'b.example']);
    expect(settings.workerMaxConcurrency).toBe(20);
  });

  it('reads cdk.json values in their JSON types (numbers, lists)', () => {
    // Act
    const { config, settings } = read({ ...JWT_CONTEXT, jwtAudience: ['a', 'b'], MAX_ATTEMPTS: 5, apiMemoryMb: 2048 });

    // Assess
    expect(config.execution.maxAttempts).toBe(5);
    expect(settings).toMatchObject({ auth: 'jwt', jwtIssuer: 'https://login.example.com/', jwtAudience: ['a', 'b'], apiMemoryMb: 2048 });
  });

  it.each([
    [{ ALERT_FAILURE_RATE: '2' }, /^Invalid ALERT_FAILURE_RATE="2": /],
    [{ MAX_CONCURRENCY: 'many' }, /^Invalid MAX_CONCURRENCY="many": /],
    [{ LOG_LEVEL: 'LOUD' }, /^Invalid LOG_LEVEL="LOUD": /],
    [{ auth: 'basic' }, /^Invalid auth="basic": /],
    [{ stage: 'Prod_1' }, /^Invalid stage="Prod_1": use 1-24 lowercase letters/],
    [{ apiMemoryMb: '64' }, /^Invalid apiMemoryMb="64": /],
    [{ apiTimeoutSeconds: 30 }, /^Invalid apiTimeoutSeconds=30: /],
    [{ apiThrottleRate: '0' }, /^Invalid apiThrottleRate="0": /],
    [{ workerBatchSize: '11' }, /^Invalid workerBatchSize="11": /],
    [{ workerMaxConcurrency: '1' }, /^Invalid workerMaxConcurrency="1": /],
    [{ logRetentionDays: '10' }, /^Invalid logRetentionDays="10": must be one of 1, 3, 5, 7, 14, 30/],
    [{ alarmEmail: 'ops-at-example' }, /^Invalid alarmEmail="ops-at-example": /],
    [{ removalPolicy: 'snapshot' }, /^Invalid removalPolicy="snapshot": /],
    [
      { ...JWT_CONTEXT, jwtIssuer: 'http://login.example.com' },
      /^Invalid jwtIssuer="http:\/\/login.example.com": must be an https:\/\/ URL/,
    ],
  ])('refuses %j with an error naming the key', (context, message) => {
    expect(refusal(context)).toMatch(message);
  });

  it.each(['prod', 'production'])('refuses auth=none on stage %s', (stage) => {
    expect(refusal({ stage, auth: 'none' })).toBe(`Invalid auth="none": refused on stage "${stage}"; use auth=jwt or auth=apikey`);
  });

  it('accepts auth=none on any other stage', () => {
    expect(read({ stage: 'scratch', auth: 'none' }).settings.auth).toBe('none');
  });

  it('refuses removalPolicy=destroy on a prod stage', () => {
    expect(refusal({ stage: 'prod', removalPolicy: 'destroy' })).toMatch(/^Invalid removalPolicy="destroy": refused on stage "prod"/);
  });

  it('requires an issuer and an audience for auth=jwt', () => {
    expect(refusal({ auth: 'jwt', jwtAudience: 'x' })).toMatch(/^Missing jwtIssuer: required when auth=jwt/);
    expect(refusal({ auth: 'jwt', jwtIssuer: 'https://id.example.com' })).toMatch(/^Missing jwtAudience: required when auth=jwt/);
  });

  it('refuses a worker concurrency under 2 inherited from MAX_CONCURRENCY, naming both', () => {
    expect(refusal({ MAX_CONCURRENCY: '1' })).toMatch(/^Invalid workerMaxConcurrency=1 \(from MAX_CONCURRENCY\)/);
  });

  it('refuses an api timeout that does not outlast its longest wait', () => {
    expect(refusal({ apiTimeoutSeconds: '25' })).toMatch(/^Invalid apiTimeoutSeconds=25: must exceed .* = 25\)$/);
    expect(read({ apiTimeoutSeconds: '25', TASK_RESULT_WAIT_SECONDS: '20' }).settings.apiTimeoutSeconds).toBe(25);
  });

  it.each(['TASK_TABLE', 'TASK_QUEUE_URL', 'AUTH_DISABLED'])('refuses %s, which the stack sets itself', (name) => {
    expect(refusal({ [name]: 'x' })).toMatch(new RegExp(`^Context ${name} cannot be set: `));
  });
});

describe('Function: runtimeEnvironment', () => {
  it('reads back through the runtime loadConfig as the configuration synth validated', () => {
    // Prepare
    const { config } = read({ ALERT_FAILURE_RATE: '0.2', HTTP_ALLOW_HOSTS: 'a.example,b.example', LOG_LEVEL: 'DEBUG' });

    // Act
    const env = runtimeEnvironment(config, { tableName: 'tasks-table', queueUrl: 'https://sqs.example/q' });

    // Assess
    expect(loadConfig(env)).toEqual({
      ...config,
      state: { ...config.state, tableName: 'tasks-table' },
      queue: { url: 'https://sqs.example/q' },
    });
    expect(env).not.toHaveProperty('AUTH_DISABLED');
  });
});

describe('Entry point: bin/app.ts', () => {
  it('exits 1 with the offending key, not a stack trace, for a bad context value', () => {
    // Act
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ stage: 'prod', auth: 'none' }) },
      encoding: 'utf8',
    });

    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('Configuration error: Invalid auth="none": refused on stage "prod"; use auth=jwt or auth=apikey');
  });
});
