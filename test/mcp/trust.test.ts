import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCP_POST_HEADERS, startMcpHarness, structured, TOKENS, toolErrorOf, type McpHarness } from '../support/mcp-harness.js';

/** Valid but unusual input through the real endpoint: it is stored and answered, never an internal error. */

const AWKWARD_ECHO = `{"big":123456789012345678901234567890,"tiny":1e-200,"deep":${'['.repeat(40)}1${']'.repeat(40)}}`;

let harness: McpHarness;
beforeAll(async () => {
  harness = await startMcpHarness({ env: { MAX_ACTIVE_TASKS_PER_CALLER: '2' } });
  harness.startWorker();
});
afterAll(() => harness?.stop());

/** A tools/call written by hand, so the JSON numbers reach the server exactly as typed. */
async function rawCall(name: string, argumentsJson: string) {
  const response = await harness.request({
    body: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":${JSON.stringify(name)},"arguments":${argumentsJson}}}`,
    headers: { ...MCP_POST_HEADERS, authorization: `Bearer ${TOKENS.alice}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { result: Record<string, unknown> }).result;
}

describe('MCP endpoint: unusual but valid parameters', () => {
  it('starts and completes a task whose parameters hold big integers, 1e-200 and 40-deep arrays', async () => {
    const result = await rawCall(
      'initiate_background_task',
      `{"operation_type":"delay","parameters":{"seconds":0,"echo":${AWKWARD_ECHO}},"wait_seconds":3}`,
    );

    const handle = structured<{ status: string; result: { echo: unknown } }>(result);
    expect(handle.status).toBe('completed');
    expect(JSON.stringify(handle.result.echo)).toBe(JSON.stringify(JSON.parse(AWKWARD_ECHO)));
  });
});

describe('MCP endpoint: per-caller quotas', () => {
  it('answers a start over MAX_ACTIVE_TASKS_PER_CALLER with quota_exceeded and retry_after_ms; another caller still starts', async () => {
    const alice = await harness.connect(TOKENS.alice);
    const bob = await harness.connect(TOKENS.bob);
    const start = (client: typeof alice) =>
      client.callTool({ name: 'initiate_background_task', arguments: { operation_type: 'delay', parameters: { seconds: 30 } } });
    const refs = [
      structured<{ task_ref: string }>(await start(alice)).task_ref,
      structured<{ task_ref: string }>(await start(alice)).task_ref,
    ];

    const refused = toolErrorOf(await start(alice));

    expect(refused).toEqual({
      code: 'quota_exceeded',
      message:
        'quota exceeded: 2 tasks are pending or running (MAX_ACTIVE_TASKS_PER_CALLER); wait for one to finish or cancel one; retry after 1000 ms',
      retryable: true,
      retry_after_ms: 1000,
    });
    const bobs = structured<{ task_ref: string }>(await start(bob)).task_ref;
    for (const ref of refs) await alice.callTool({ name: 'cancel_task', arguments: { task_ref: ref } });
    await bob.callTool({ name: 'cancel_task', arguments: { task_ref: bobs } });
  });
});
