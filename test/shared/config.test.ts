import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lambda/shared/config.js';

describe('loadConfig', () => {
  it('gives the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.state.ttlSeconds).toBe(86_400);
    expect(config.execution).toMatchObject({ maxConcurrency: 50, defaultTimeoutSeconds: 120, maxAttempts: 3 });
    expect(config.polling).toMatchObject({ initialIntervalMs: 1000, multiplier: 2, maxIntervalMs: 30_000 });
    expect(config.observability.alertFailureRate).toBe(0.05);
    expect(config.api.authDisabled).toBe(false);
    expect(config.quotas).toEqual({ maxActiveTasksPerCaller: 100, maxStartsPerMinutePerCaller: 600 });
  });

  it('reads values by their environment variable names', () => {
    const config = loadConfig({
      TASK_TTL_SECONDS: '3600',
      HTTP_ALLOW_HOSTS: 'a.internal, 127.0.0.1:8080,[::1]:9000',
      AUTH_DISABLED: 'true',
      ALERT_FAILURE_RATE: '0.1',
      MAX_ACTIVE_TASKS_PER_CALLER: '5',
      MAX_STARTS_PER_MINUTE_PER_CALLER: '50',
    });
    expect(config.state.ttlSeconds).toBe(3600);
    expect(config.http.allowHosts).toEqual(['a.internal', '127.0.0.1:8080', '[::1]:9000']);
    expect(config.quotas).toEqual({ maxActiveTasksPerCaller: 5, maxStartsPerMinutePerCaller: 50 });
    expect(config.api.authDisabled).toBe(true);
    expect(config.observability.alertFailureRate).toBe(0.1);
  });

  it.each([
    ['MAX_CONCURRENCY', 'lots'],
    ['TASK_TTL_SECONDS', '-5'],
    ['ALERT_FAILURE_RATE', '5'],
    ['LOG_LEVEL', 'LOUD'],
    ['AUTH_DISABLED', 'yes please'],
    ['MAX_TIMEOUT_SECONDS', '10000'],
    ['HTTP_ALLOW_HOSTS', 'a.internal:99999'],
    ['HTTP_ALLOW_HOSTS', 'host:port'],
    ['MAX_ACTIVE_TASKS_PER_CALLER', '-1'],
  ])('fails fast naming %s when it is %s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid ${name}=`));
  });
});
