import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { delay } from '../../lambda/operations/delay.js';
import { defineOperation } from '../../lambda/operations/operation.js';
import { createCore } from '../../lambda/tasks/core.js';
import { runTask } from '../../lambda/tasks/run-task.js';
import { createAwsClients } from '../../lambda/shared/aws-clients.js';
import { startCoreFixture, type CoreFixture } from '../support/core-fixture.js';
import { captureLogger, type CapturedLog } from '../support/capture-logger.js';

/** Shapes DynamoDB numbers and maps cannot hold, but JSON text can. */
const AWKWARD_JSON = `{"big":123456789012345678901234567890,"tiny":1e-200,"deep":${'['.repeat(40)}1${']'.repeat(40)},"empty":{"s":"","a":[],"o":{}}}`;

let runs = 0;
/** Returns whatever it is told to, counting its runs: "never re-run" must be checkable. */
const echo = defineOperation({
  name: 'echo',
  description: 'returns its value (or a BigInt, which is not JSON)',
  input: z.object({ value: z.json().optional(), bigint: z.boolean().optional(), chars: z.number().optional() }),
  retry: { maxAttempts: 3, baseDelaySeconds: 0 },
  async execute({ value, bigint, chars }) {
    runs++;
    if (chars !== undefined) return 'r'.repeat(chars);
    return bigint ? { n: 10n } : value;
  },
});

let fx: CoreFixture;
let logs: CapturedLog[];
beforeAll(async () => {
  fx = await startCoreFixture(
    { LEASE_SECONDS: '3', MAX_PARAMS_BYTES: String(200 * 1024), MAX_RESULT_BYTES: String(300 * 1024) },
    { operations: [delay, echo] },
  );
});
afterAll(() => fx.stop());
beforeEach(() => {
  runs = 0;
});

function coreWith(clients = fx.emulators.clients) {
  const captured = captureLogger();
  logs = captured.lines;
  return createCore(fx.config, clients, { clock: fx.clock, operations: [delay, echo], logger: captured.logger });
}

describe('lossless task records', () => {
  it('keeps parameters exactly as JSON.parse reads them: big integers, 1e-200, 40-deep arrays, empty values', async () => {
    const value = JSON.parse(AWKWARD_JSON);
    const { task } = await fx.core.service.submit({ owner: 'lossless', operation: 'echo', params: { value } });

    expect((await fx.core.store.get(task.taskId))?.params).toEqual({ value });
  });

  it('completes with a result of those shapes, written once, read back exactly', async () => {
    const core = coreWith();
    const value = JSON.parse(AWKWARD_JSON);
    const { task } = await core.service.submit({ owner: 'lossless', operation: 'echo', params: { value } });

    expect(await runTask(core.deps, task.taskId)).toBe('completed');
    const done = await core.store.get(task.taskId);
    expect(done).toMatchObject({ status: 'completed', attempt: 1 });
    expect(JSON.stringify(done?.result)).toBe(JSON.stringify(value));
    expect(runs).toBe(1);
    expect(logs.filter((l) => l.message === 'task finished')).toEqual([
      expect.objectContaining({ taskId: task.taskId, status: 'completed', by: 'worker' }),
    ]);
  });
});

describe('truthful outcomes', () => {
  it('ends a result that is not JSON as result_unstorable at once, without a re-run, and logs why', async () => {
    const core = coreWith();
    const { task } = await core.service.submit({ owner: 'truth', operation: 'echo', params: { bigint: true } });

    expect(await runTask(core.deps, task.taskId)).toBe('failed');
    expect(await core.store.get(task.taskId)).toMatchObject({
      status: 'failed',
      attempt: 1,
      error: { code: 'result_unstorable', retryable: false },
    });
    expect(runs).toBe(1);
    expect(logs.find((l) => l.message.startsWith('result could not be stored'))).toMatchObject({
      taskId: task.taskId,
      reason: expect.stringMatching(/not JSON.*BigInt/),
    });
  });

  it('ends a result the store refuses for good (the item would pass 400 KB) as result_unstorable, saying the size', async () => {
    const core = coreWith();
    // 150 KB of parameters plus a 290 KB result: each within its cap, together over DynamoDB's item limit.
    const { task } = await core.service.submit({
      owner: 'truth',
      operation: 'echo',
      params: { value: 'p'.repeat(150_000), chars: 290_000 },
    });

    expect(await runTask(core.deps, task.taskId)).toBe('failed');
    const failed = await core.store.get(task.taskId);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'result_unstorable', retryable: false } });
    expect(failed?.error?.message).toMatch(/refused the 290002-byte result/);
    expect(runs).toBe(1);
  });

  it('fails a result over MAX_RESULT_BYTES as result_too_large, naming the size and the cap', async () => {
    const core = coreWith();
    const { task } = await core.service.submit({ owner: 'truth', operation: 'echo', params: { chars: 310_000 } });

    expect(await runTask(core.deps, task.taskId)).toBe('failed');
    expect((await core.store.get(task.taskId))?.error).toEqual({
      code: 'result_too_large',
      message: `the result is 310002 bytes; the limit is ${300 * 1024} (MAX_RESULT_BYTES)`,
      retryable: false,
    });
  });

  it('retries a transiently failing result write in place: the operation runs once and the task completes', async () => {
    // A fault the emulator cannot produce: the first two writes of the result fail with a throttle.
    const clients = createAwsClients(fx.emulators.endpoints);
    let refused = 0;
    clients.ddb.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { ExpressionAttributeNames?: Record<string, string> };
        if (Object.values(input.ExpressionAttributeNames ?? {}).includes('resultJson') && refused < 2) {
          refused++;
          throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ThrottlingException' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'throttleResultWrites' },
    );
    const core = coreWith(clients);
    const { task } = await core.service.submit({ owner: 'truth', operation: 'echo', params: { value: { ok: true } } });

    expect(await runTask(core.deps, task.taskId)).toBe('completed');
    expect(refused).toBe(2);
    expect(runs).toBe(1);
    expect(await core.store.get(task.taskId)).toMatchObject({ status: 'completed', attempt: 1, result: { ok: true } });
    clients.ddb.destroy();
    clients.sqs.destroy();
  });

  it('logs one "task finished" line per terminal write, naming who made it', async () => {
    const core = coreWith();
    const { task: failing } = await core.service.submit({ owner: 'truth', operation: 'delay', params: { seconds: 0, fail: 'no' } });
    const { task: cancelled } = await core.service.submit({ owner: 'truth', operation: 'delay', params: { seconds: 0 } });

    await runTask(core.deps, failing.taskId);
    await core.service.cancel('truth', cancelled.taskId);
    await core.service.cancel('truth', cancelled.taskId);

    const finished = logs.filter((l) => l.message === 'task finished');
    expect(finished).toEqual([
      expect.objectContaining({ taskId: failing.taskId, status: 'failed', code: 'operation_error', by: 'worker' }),
      expect.objectContaining({ taskId: cancelled.taskId, status: 'cancelled', code: 'cancelled', by: 'caller' }),
    ]);
    await fx.drainQueue();
  });
});
