/**
 * `npm run bench:poll-hints [native|long-poll]`: how soon a caller that follows the server's hints
 * notices a finished task, against the local stack in this process (port 0).
 *  native:    the Strands Agents SDK's McpClient with tasksConfig (it calls tools task-augmented and
 *             polls tasks/get, sleeping each answer's pollInterval) runs `delay` tasks of 10, 25 and
 *             60 s, each twice at once: with the age-only hint (`before`) and the progress-aimed one
 *             (`after`); the task's `echo` parameter picks which hint the server gives it.
 *  long-poll: BENCH_AGENTS (50) callers, each a 10–15 s task and one resolve_task_status with
 *             wait_seconds 20; counts the DynamoDB reads (GetItem) each long-poll makes.
 */
import { McpClient } from '@strands-agents/sdk';
import { startLocalStack } from '../local/stack.js';
import { pollAfterMs, taskPollAfterMs } from '../lambda/tasks/poll-hint.js';
import { isTerminal, type TaskRecord } from '../lambda/tasks/task.js';
import { callTool, connectClient, ms, percentile } from './support.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const SECONDS = (process.env.BENCH_SECONDS ?? '10,25,60').split(',').map(Number);
const AGENTS = Number(process.env.BENCH_AGENTS ?? 50);
type Hint = 'before' | 'after';

const stack = await startLocalStack({
  port: 0,
  env: { ...process.env, MAX_ACTIVE_TASKS_PER_CALLER: '0', MAX_STARTS_PER_MINUTE_PER_CALLER: '0', LOG_LEVEL: 'ERROR' },
});
const { service, store } = stack.core;
const polling = stack.config.polling;

// The server's hint per task: `before` is the age-only schedule every task had until now.
service.pollAfterMs = (task: TaskRecord) => {
  if (isTerminal(task.status)) return null;
  const now = Date.now();
  return task.params.echo === 'before' ? pollAfterMs(polling, now - task.createdAt) : taskPollAfterMs(polling, task, now);
};
// Which task each (seconds, hint) run started.
const started = new Map<string, string>();
const submit = service.submit.bind(service);
service.submit = async (request) => {
  const answer = await submit(request);
  const params = request.params as { seconds?: number; echo?: unknown };
  started.set(`${params.seconds}/${String(params.echo)}`, answer.task.taskId);
  return answer;
};
// Every read of a task by its caller (tasks/get, tasks/result, resolve_task_status and its long-poll).
const reads = new Map<string, number>();
const getOwned = store.getOwned.bind(store);
store.getOwned = (owner, taskId) => {
  reads.set(taskId, (reads.get(taskId) ?? 0) + 1);
  return getOwned(owner, taskId);
};

async function native(): Promise<void> {
  const client = new McpClient({
    url: stack.url!,
    applicationName: 'poll-hints-bench',
    disableMcpInstrumentation: true,
    tasksConfig: { ttl: 120_000, pollTimeout: 300_000 },
  });
  const tool = (await client.listTools()).find((t) => t.name === 'delay');
  if (!tool) throw new Error('the server lists no delay tool');
  const runs = SECONDS.flatMap((seconds) => (['before', 'after'] as const).map((hint) => ({ seconds, hint })));
  console.log(`\n[native] Strands McpClient (tasksConfig), delay tasks of ${SECONDS.join(', ')} s, both hints at once`);
  const results = await Promise.all(
    runs.map(async ({ seconds, hint }: { seconds: number; hint: Hint }) => {
      const t0 = Date.now();
      const result = await client.callTool(tool, { seconds, echo: hint });
      const noticedS = (Date.now() - t0) / 1000;
      const taskId = started.get(`${seconds}/${hint}`);
      return {
        seconds,
        hint,
        noticedS,
        isError: (result as { isError?: boolean } | null)?.isError === true,
        reads: taskId ? (reads.get(taskId) ?? 0) : Number.NaN,
      };
    }),
  );
  await client.disconnect();
  for (const seconds of SECONDS) {
    const line = (['before', 'after'] as const)
      .map((hint) => {
        const r = results.find((x) => x.seconds === seconds && x.hint === hint)!;
        return `${hint} ${r.noticedS.toFixed(1)} s = ${(r.noticedS / seconds).toFixed(2)}× (${r.reads} reads${r.isError ? ', ERROR' : ''})`;
      })
      .join('   ');
    console.log(`  ${String(seconds).padStart(2)} s task: ${line}`);
  }
  if (results.some((r) => r.isError)) process.exitCode = 1;
}

async function longPoll(): Promise<void> {
  const clients = await Promise.all(Array.from({ length: AGENTS }, (_, i) => connectClient(stack.url!, `lp-${i}`)));
  const runs = await Promise.all(
    clients.map(async (client) => {
      const started = await callTool(client, 'initiate_background_task', {
        operation_type: 'delay',
        parameters: { seconds: 10 + Math.random() * 5 },
      });
      const before = reads.get(started.task_ref) ?? 0;
      const view = await callTool(client, 'resolve_task_status', { task_ref: started.task_ref, wait_seconds: 20 });
      return {
        reads: (reads.get(started.task_ref) ?? 0) - before,
        lagMs: Date.now() - Date.parse(view.finished_at ?? ''),
        status: view.status,
      };
    }),
  );
  await Promise.all(clients.map((c) => c.close()));
  const ok = runs.filter((r) => r.status === 'completed');
  const perCall = ok.map((r) => r.reads);
  console.log(`\n[long-poll] ${AGENTS} callers, 10–15 s tasks, one wait_seconds 20 call each (in-process server)`);
  console.log(`  completed ${ok.length}/${AGENTS}`);
  console.log(
    `  reads per long-poll: mean ${(perCall.reduce((s, n) => s + n, 0) / perCall.length).toFixed(1)}, p50 ${percentile(perCall, 50)}, max ${Math.max(...perCall)}`,
  );
  const lags = ok.map((r) => r.lagMs);
  console.log(`  completion-to-notice p50 ${ms(percentile(lags, 50))}, p99 ${ms(percentile(lags, 99))}`);
  if (ok.length !== AGENTS) process.exitCode = 1;
}

try {
  const only = process.argv[2];
  if (!only || only === 'native') await native();
  if (!only || only === 'long-poll') await longPoll();
} finally {
  await stack.stop(0);
}
