import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { httpRequest } from '../../lambda/operations/http-request.js';
import { createCore, type Core } from '../../lambda/tasks/core.js';
import { runTask } from '../../lambda/tasks/run-task.js';
import { toStatusView } from '../../lambda/mcp/task-view.js';
import { startCoreFixture, testConfig, type CoreFixture } from '../support/core-fixture.js';
import { captureLogger, type CapturedLog } from '../support/capture-logger.js';

/** http_request run as a task end to end: real emulators, a real loopback server, the real worker. */

const SECRET = 'Bearer s3cret-token-value';
const AWKWARD_BODY = `{"n":123456789012345678901234567890,"tiny":1e-200,"deep":${'['.repeat(40)}0${']'.repeat(40)}}`;

let seen: { path: string; headers: IncomingHttpHeaders }[] = [];
let unavailableOnce = new Set<string>();
let server: Server;
let port: number;
let fx: CoreFixture;
let core: Core;
let logs: CapturedLog[];

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    seen.push({ path, headers: req.headers });
    if (path === '/flaky' && !unavailableOnce.has(path)) {
      unavailableOnce.add(path);
      res.writeHead(503).end();
    } else if (path === '/awkward') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(AWKWARD_BODY);
    } else {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  fx = await startCoreFixture({}, { operations: [httpRequest] });
});
afterAll(async () => {
  await fx.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen = [];
  unavailableOnce = new Set();
  const captured = captureLogger();
  logs = captured.lines;
  const config = testConfig(fx.emulators, { HTTP_ALLOW_HOSTS: `127.0.0.1:${port}`, LOG_LEVEL: 'DEBUG' });
  core = createCore(config, fx.emulators.clients, { clock: fx.clock, operations: [httpRequest], logger: captured.logger });
});

const start = (params: Record<string, unknown>) =>
  core.service.submit({ owner: 'http-task', operation: 'http_request', params }).then((r) => r.task);
const url = (path: string, toPort = port) => `http://127.0.0.1:${toPort}${path}`;

/** Runs the task's attempts as the queue would deliver them (retry backoff skipped by the clock). */
async function runToEnd(taskId: string) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const outcome = await runTask(core.deps, taskId);
    if (outcome !== 'retried') return outcome;
    fx.clock.advance(10_000);
  }
  return 'exhausted';
}

describe('http_request as a task', () => {
  it('returns a JSON body exactly as JSON.parse reads it, from one request', async () => {
    const task = await start({ url: url('/awkward') });

    expect(await runToEnd(task.taskId)).toBe('completed');
    const done = await core.store.get(task.taskId);
    expect(JSON.stringify((done!.result as { body: unknown }).body)).toBe(JSON.stringify(JSON.parse(AWKWARD_BODY)));
    expect(seen.map((s) => s.path)).toEqual(['/awkward']);
  });

  it('sends one Idempotency-Key, the task reference, on every attempt; a caller-set key is kept', async () => {
    const task = await start({ url: url('/flaky') });
    expect(await runToEnd(task.taskId)).toBe('completed');
    const own = await start({ url: url('/plain'), headers: { 'Idempotency-Key': 'caller-chosen' } });
    expect(await runToEnd(own.taskId)).toBe('completed');

    expect(seen.map((s) => [s.path, s.headers['idempotency-key']])).toEqual([
      ['/flaky', task.taskId],
      ['/flaky', task.taskId],
      ['/plain', 'caller-chosen'],
    ]);
  });

  it('never shows header values back and drops them when the task ends', async () => {
    const task = await start({ url: url('/plain'), headers: { authorization: SECRET } });
    const pending = await core.service.get('http-task', task.taskId);
    expect(JSON.stringify(pending)).not.toContain(SECRET);
    expect(JSON.stringify(toStatusView(pending, core.service))).not.toContain(SECRET);

    expect(await runToEnd(task.taskId)).toBe('completed');

    expect(seen.map((s) => s.headers.authorization)).toEqual([SECRET]);
    const item = (await fx.scanAll()).find((i) => i.taskId === task.taskId);
    expect(item).toMatchObject({ status: 'completed' });
    expect(JSON.stringify(item)).not.toContain('s3cret');
    expect(JSON.stringify(logs)).not.toContain('s3cret');
  });

  it('drops header values of a task cancelled before it ran', async () => {
    const task = await start({ url: url('/plain'), headers: { authorization: SECRET } });
    await core.service.cancel('http-task', task.taskId);

    expect(JSON.stringify((await fx.scanAll()).find((i) => i.taskId === task.taskId))).not.toContain('s3cret');
    await fx.drainQueue();
  });

  it('reaches only the allowed port of an allowed host', async () => {
    const other = createServer((_req, res) => res.end('should not be reached'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const otherPort = (other.address() as AddressInfo).port;
    try {
      const task = await start({ url: url('/', otherPort) });

      expect(await runToEnd(task.taskId)).toBe('failed');
      expect((await core.store.get(task.taskId))?.error).toMatchObject({
        code: 'operation_error',
        message: 'Refused to connect to 127.0.0.1: loopback address',
        retryable: false,
      });
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it("refuses the stack's own ports whatever the allow-list says", async () => {
    const config = testConfig(fx.emulators, { HTTP_ALLOW_HOSTS: '127.0.0.1' });
    const dynamoPort = Number(new URL(fx.emulators.endpoints.dynamodb).port);
    config.http.stackPorts = [dynamoPort];
    const guarded = createCore(config, fx.emulators.clients, { clock: fx.clock, operations: [httpRequest] });
    const { task } = await guarded.service.submit({
      owner: 'http-task',
      operation: 'http_request',
      params: {
        method: 'POST',
        url: url('/', dynamoPort),
        headers: { 'x-amz-target': 'DynamoDB_20120810.Scan' },
        body: { TableName: fx.emulators.tableName },
      },
    });

    expect(await runTask(guarded.deps, task.taskId)).toBe('failed');
    expect((await guarded.store.get(task.taskId))?.error).toEqual({
      code: 'operation_error',
      message: `Refused to connect to 127.0.0.1 port ${dynamoPort}: a port of this server's own services`,
      retryable: false,
    });
  });
});
