/**
 * `npm run bench:load`: the load test of the README's Performance section, against the local stack over real HTTP.
 *  1. 50 concurrent agents, each a 10–15 s `delay` task, polling with exponential backoff (1 s, ×2, cap 30 s);
 *  2. the same with `wait_seconds` long-polling;
 *  3. throughput: 2,000 zero-second tasks end to end, beside the embedded emulators' own ops/s.
 * The local stack (server + embedded emulators, as `npm start` runs them) is a child process; the
 * agents run here, over loopback HTTP.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createAwsClients, type LocalEndpoints } from '../lambda/shared/aws-clients.js';
import { callTool, connectClient, mapConcurrent, ms, percentile, startServerProcess, TERMINAL, type TaskView } from './support.js';

/** What bench/serve-stack.ts prints about the stack it started. */
interface StackInfo {
  url: string;
  endpoints: LocalEndpoints;
  tableName: string;
  dlqUrl: string;
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 50);
const THROUGHPUT_TASKS = Number(process.env.BENCH_TASKS ?? 2000);
const BACKOFF = { initialMs: 1_000, multiplier: 2, maxMs: 30_000 };

interface AgentRun {
  initiateMs: number;
  polls: number;
  taskSeconds: number;
  /** From the record's finished_at to the agent seeing the terminal status. */
  noticeLagMs: number;
  status: string;
}

/** One agent: start a task, then poll until it is terminal, in the given style. */
async function agent(client: Client, style: 'backoff' | 'long-poll'): Promise<AgentRun> {
  const taskSeconds = 10 + Math.random() * 5;
  const t0 = performance.now();
  const started = await callTool(client, 'initiate_background_task', { operation_type: 'delay', parameters: { seconds: taskSeconds } });
  const initiateMs = performance.now() - t0;
  let polls = 0;
  let interval = BACKOFF.initialMs;
  let view: TaskView = started;
  while (!TERMINAL.has(view.status)) {
    if (style === 'backoff') {
      await sleep(interval);
      interval = Math.min(BACKOFF.maxMs, interval * BACKOFF.multiplier);
      view = await callTool(client, 'resolve_task_status', { task_ref: started.task_ref });
    } else {
      view = await callTool(client, 'resolve_task_status', { task_ref: started.task_ref, wait_seconds: 20 });
    }
    polls++;
  }
  const noticeLagMs = Date.now() - Date.parse(view.finished_at ?? '');
  return { initiateMs, polls, taskSeconds, noticeLagMs, status: view.status };
}

/** "p50 …, p99 …" of a list of milliseconds. */
const p50p99 = (values: number[]) => `p50 ${ms(percentile(values, 50))}, p99 ${ms(percentile(values, 99))}`;

async function agents(stack: StackInfo, style: 'backoff' | 'long-poll'): Promise<void> {
  const clients = await Promise.all(Array.from({ length: AGENTS }, (_, i) => connectClient(stack.url, `agent-${i}`)));
  const t0 = performance.now();
  const runs = await Promise.all(clients.map((c) => agent(c, style).catch((e: unknown) => ({ error: String(e) }))));
  const wallS = (performance.now() - t0) / 1000;
  await Promise.all(clients.map((c) => c.close()));
  const ok = runs.filter((r): r is AgentRun => 'status' in r && r.status === 'completed');
  const longest = Math.max(...ok.map((r) => r.taskSeconds));
  console.log(`\n[${style}] ${AGENTS} agents, 10–15 s tasks`);
  console.log(`  completed ${ok.length}/${AGENTS}, errors ${runs.length - ok.length}`);
  console.log(`  wall ${wallS.toFixed(1)} s vs longest task ${longest.toFixed(1)} s = ${(wallS / longest).toFixed(2)}×`);
  console.log(`  initiation ${p50p99(ok.map((r) => r.initiateMs))}`);
  console.log(
    `  polls per task: mean ${(ok.reduce((s, r) => s + r.polls, 0) / ok.length).toFixed(1)}, max ${Math.max(...ok.map((r) => r.polls))}`,
  );
  console.log(`  completion-to-notice ${p50p99(ok.map((r) => r.noticeLagMs))}`);
  if (ok.length !== AGENTS) process.exitCode = 1;
}

async function throughput(stack: StackInfo): Promise<void> {
  const clients = await Promise.all(Array.from({ length: AGENTS }, (_, i) => connectClient(stack.url, `load-${i}`)));
  const t0 = performance.now();
  const refs = await mapConcurrent(
    Array.from({ length: THROUGHPUT_TASKS }),
    AGENTS,
    async (_, i) =>
      (await callTool(clients[i % AGENTS]!, 'initiate_background_task', { operation_type: 'delay', parameters: { seconds: 0 } })).task_ref,
  );
  const initiatedS = (performance.now() - t0) / 1000;
  const finals = await mapConcurrent(refs, AGENTS, async (ref, i) =>
    callTool(clients[i % AGENTS]!, 'resolve_task_status', { task_ref: ref, wait_seconds: 20 }),
  );
  const totalS = (performance.now() - t0) / 1000;
  const completed = finals.filter((v) => v.status === 'completed').length;
  await Promise.all(clients.map((c) => c.close()));

  const raw = await emulatorOpsPerSecond(stack);
  console.log(`\n[throughput] ${THROUGHPUT_TASKS} zero-second tasks, ${AGENTS} concurrent callers`);
  console.log(`  completed ${completed}/${THROUGHPUT_TASKS}`);
  console.log(`  initiated in ${initiatedS.toFixed(1)} s (${(THROUGHPUT_TASKS / initiatedS).toFixed(0)} initiations/s)`);
  console.log(`  end to end ${totalS.toFixed(1)} s = ${(completed / totalS).toFixed(0)} tasks/s`);
  console.log(`  same emulators, raw: PutItem ${raw.put.toFixed(0)} ops/s, SendMessage ${raw.send.toFixed(0)} ops/s`);
  console.log(`  per task the system makes ~8 emulator calls (put, send, receive, claim, complete, delete, 2+ reads)`);
  if (completed !== THROUGHPUT_TASKS) process.exitCode = 1;
}

/** Raw round trips on the same emulators, same concurrency, for the ratio. */
async function emulatorOpsPerSecond(stack: StackInfo): Promise<{ put: number; send: number }> {
  const { ddb, sqs } = createAwsClients(stack.endpoints);
  const n = 2_000;
  const time = async (op: (i: number) => Promise<unknown>) => {
    const t0 = performance.now();
    await mapConcurrent(Array.from({ length: n }), AGENTS, (_, i) => op(i));
    return n / ((performance.now() - t0) / 1000);
  };
  const put = await time((i) =>
    ddb.send(new PutItemCommand({ TableName: stack.tableName, Item: { taskId: { S: `bench-raw-${i}` }, expiresAt: { N: '1' } } })),
  );
  // A queue of its own, so the workers do not receive these.
  const send = await time(() => sqs.send(new SendMessageCommand({ QueueUrl: stack.dlqUrl, MessageBody: '{"bench":true}' })));
  return { put, send };
}

async function main(): Promise<void> {
  const only = process.argv[2];
  const server = await startServerProcess('bench/serve-stack.ts', [], { MAX_CONCURRENCY: String(Math.max(50, AGENTS)) }, /^(\{.*\})$/m);
  const stack = JSON.parse(server.found) as StackInfo;
  console.log(
    `local stack at ${stack.url} (in memory, own process), node ${process.version}, ${(await import('node:os')).cpus().length} cores`,
  );
  try {
    if (!only || only === 'backoff') await agents(stack, 'backoff');
    if (!only || only === 'long-poll') await agents(stack, 'long-poll');
    if (!only || only === 'throughput') await throughput(stack);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`bench:load failed: ${(error as Error).message}`);
  process.exit(1);
});
