import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import type { TaskRecord } from '../../lambda/tasks/task.js';
import { describe, failedWith, type Tracked } from '../check.js';
import { OWNERS, startHarness } from '../harness.js';
import type { RunEvent } from '../probe.js';
import { sized, type Scenario } from '../scenario.js';

/** JSON bodies a naive store cannot hold as they are, and one too large to keep at all. */
function bodies(maxResultBytes: number): Record<string, string> {
  return {
    'big-integer': '{"n":123456789012345678901234567890}',
    'tiny-number': '{"x":1e-200}',
    'deep-arrays': `${'['.repeat(40)}1${']'.repeat(40)}`,
    oversized: JSON.stringify({ blob: 'x'.repeat(maxResultBytes + 10_000) }),
    plain: '{"ok":true,"list":[1,2.5,"three",null]}',
  };
}

/**
 * http_request against a local server whose JSON answers are legal but awkward: an integer above
 * 2^53, 1e-200, 40-deep arrays, and one over MAX_RESULT_BYTES. Each must end completed with the body
 * exactly as JSON.parse reads it, or result_too_large for the oversized one — and the request must
 * reach the server exactly once per task (a result the store refused must not send it again).
 */
export const unstorableResults: Scenario = {
  name: 'unstorable-results',
  fault: 'http_request results with a >2^53 integer, 1e-200, 40-deep arrays, and one over MAX_RESULT_BYTES',
  size: sized(30, 5),
  async run({ scale }) {
    const hits: RunEvent[] = [];
    let served: Record<string, string> = {};
    // Every request is one run of its task's operation: start on arrival, end when the answer is sent.
    const server = createServer((req, res) => {
      const [, kind = '', key = ''] = /^\/r\/([^/]+)\/([^/?]+)/.exec(req.url ?? '') ?? [];
      hits.push({ type: 'start', key });
      res.once('close', () => hits.push({ type: 'end', key, outcome: res.writableFinished ? 'ok' : 'aborted' }));
      const body = served[kind];
      res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' }).end(body ?? '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const h = await startHarness({ env: { HTTP_ALLOW_HOSTS: `127.0.0.1:${port}` } });
    try {
      served = bodies(h.stack.config.execution.maxResultBytes);
      const kinds = Object.keys(served);
      const tracked: Tracked[] = [];
      const count = this.size(scale);
      await Promise.all(
        Array.from({ length: count }, async (_, i) => {
          const kind = kinds[i % kinds.length]!;
          const key = `http-${kind}-${i}`;
          const task = await h.submit({
            owner: OWNERS[i % OWNERS.length]!,
            operation: 'http_request',
            params: { url: `http://127.0.0.1:${port}/r/${kind}/${key}` },
            idempotencyKey: key,
            maxWaitSeconds: 20,
          });
          const expected = JSON.parse(served[kind]!) as unknown;
          tracked.push({
            taskId: task.taskId,
            key,
            maxRuns: 1,
            judge: kind === 'oversized' ? failedWith('result_too_large') : exactBody(expected),
          });
        }),
      );
      return await h.finish(
        this.name,
        tracked,
        () => [`${hits.filter((e) => e.type === 'start').length} requests reached the server`],
        hits,
      ); // runs are the server's hits
    } finally {
      await h.stop();
      server.close();
    }
  },
};

/** Completed, HTTP 200, and the body deep-equal to what JSON.parse made of it. */
const exactBody = (expected: unknown) => (record: TaskRecord) => {
  if (record.status !== 'completed')
    return `expected completed, got ${describe(record)}${record.error ? ` (${record.error.message.slice(0, 160)})` : ''}`;
  const result = record.result as { status?: number; body?: unknown } | undefined;
  if (result?.status !== 200 || !isDeepStrictEqual(result.body, expected))
    return `completed with body ${JSON.stringify(result?.body)?.slice(0, 120)}, expected ${JSON.stringify(expected).slice(0, 120)}`;
  return undefined;
};
