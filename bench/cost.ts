/**
 * `npm run bench:cost`: what a task costs, in AWS dollars and in the agent's tokens, for each way an
 * agent can wait for it. Runs a fixed workload on the local stack (embedded emulators, the same
 * handlers as AWS) once per style:
 *  - poll:      initiate_background_task, then resolve_task_status after each poll_after_ms (the server's backoff);
 *  - long-poll: initiate_background_task, then resolve_task_status with wait_seconds = POLL_MAX_WAIT_SECONDS;
 *  - native:    the operation's tool called task-augmented, tasks/get after each pollInterval, then tasks/result.
 * (A webhook style does not exist yet, so it is not measured.)
 *
 * Each style: COST_TASKS agents at once (default 50), each one `delay` task of 10–15 s. Measured per
 * task: MCP requests (= API Gateway requests = api Lambda invocations), the api handler's duration
 * per request (a long-poll holds the Lambda while it waits, and is billed for it), DynamoDB request
 * units (middleware on the stack's client, by the on-demand rules, indexes included), SQS requests,
 * the worker's busy time per task and the bytes of every response the agent reads. Then priced per
 * 1,000 tasks at the list prices and assumptions in bench/cost-prices.ts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, CreateTaskResultSchema, GetTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createApiHandler } from '../lambda/handlers/api.js';
import { createSweeperHandler } from '../lambda/handlers/sweeper.js';
import { LOOPBACK_HOSTS } from '../lambda/http/origin-guard.js';
import type { Config } from '../lambda/shared/config.js';
import { createLogger } from '../lambda/shared/telemetry.js';
import { startHttpServer } from '../local/http-server.js';
import { startLocalStack } from '../local/stack.js';
import { DynamoMeter, type Role, roleContext, SqsMeter } from './cost-meter.js';
import { AGENT, ASSUMPTIONS, MEMORY_MB, PRICES } from './cost-prices.js';
import { mapConcurrent, percentile, TERMINAL, type TaskView, callTool } from './support.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const TASKS = Number(process.env.COST_TASKS ?? 50);
const MIN_SECONDS = 10;
const MAX_SECONDS = 15;
const STYLES = ['poll', 'long-poll', 'native'] as const;
type Style = (typeof STYLES)[number];

/** One request the api handler served, seen from inside the (wrapped) handler. */
interface ApiCall {
  agent: string;
  /** The tool, the JSON-RPC method, or the HTTP method for a non-POST. */
  name: string;
  ms: number;
  /** Response bytes as the ToolResponseBytes metric counts them (tools/call and tasks/* only). */
  toolBytes: number;
  setup: boolean;
}

/** What one agent did for its task. */
interface AgentRun {
  status: string;
  statusCalls: number;
  seconds: number;
  /** From the task's end (its own delay) to the agent knowing: how late each style notices. */
  noticeLagMs: number;
  taskId: string;
}

const SETUP = new Set(['initialize', 'notifications/initialized', 'tools/list', 'GET', 'DELETE']);

/** The wire name an API Gateway event carries: the tool of a tools/call, else the JSON-RPC method. */
function callName(event: APIGatewayProxyEventV2): string {
  if (event.requestContext.http.method !== 'POST') return event.requestContext.http.method;
  try {
    const body = JSON.parse(event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString() : (event.body ?? '{}')) as {
      method?: string;
      params?: { name?: string };
    };
    return body.method === 'tools/call' ? (body.params?.name ?? 'tools/call') : (body.method ?? 'unknown');
  } catch {
    return 'unparsable';
  }
}

async function agent(client: Client, style: Style, seconds: number): Promise<AgentRun> {
  const t0 = Date.now();
  let statusCalls = 0;
  if (style === 'native') {
    const created = await client.request(
      { method: 'tools/call', params: { name: 'delay', arguments: { seconds }, task: { ttl: 3_600_000 } } },
      CreateTaskResultSchema,
    );
    let task = created.task;
    while (!TERMINAL.has(task.status)) {
      await sleep(task.pollInterval ?? 1_000);
      task = await client.request({ method: 'tasks/get', params: { taskId: task.taskId } }, GetTaskResultSchema);
      statusCalls++;
    }
    const known = Date.now();
    await client.request({ method: 'tasks/result', params: { taskId: task.taskId } }, CallToolResultSchema);
    return { status: task.status, statusCalls, seconds, noticeLagMs: known - t0 - seconds * 1000, taskId: task.taskId };
  }
  let view = (await callTool(client, 'initiate_background_task', { operation_type: 'delay', parameters: { seconds } })) as TaskView & {
    poll_after_ms?: number | null;
  };
  const taskId = view.task_ref;
  while (!TERMINAL.has(view.status)) {
    if (style === 'poll') {
      await sleep(view.poll_after_ms ?? 1_000);
      view = await callTool(client, 'resolve_task_status', { task_ref: taskId });
    } else {
      view = await callTool(client, 'resolve_task_status', { task_ref: taskId, wait_seconds: MAX_WAIT_SECONDS });
    }
    statusCalls++;
  }
  return { status: view.status, statusCalls, seconds, noticeLagMs: Date.now() - t0 - seconds * 1000, taskId };
}

let MAX_WAIT_SECONDS = 20;
let lastConfig: Config | undefined;

/** The response size the api handler reports through its telemetry (the ToolResponseBytes metric), per request. */
const requestContext = new AsyncLocalStorage<{ bytes: number }>();

/** An MCP client for agent `i`, its requests tagged with the agent's number. */
async function connect(url: string, i: number): Promise<Client> {
  const client = new Client({ name: `agent-${i}`, version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { 'x-bench-agent': String(i) } } });
  await client.connect(transport);
  return client;
}

/** Everything measured for one style, per task. */
interface StyleResult {
  style: Style;
  completed: number;
  wallSeconds: number;
  requests: number;
  statusCalls: number;
  apiMsPerRequest: { mean: number; p50: number; p99: number };
  apiBilledMs: number;
  toolBytes: number;
  /** Bytes of each kind of call, per task. */
  bytesByCall: Record<string, number>;
  setupRequestsPerAgent: number;
  rru: Record<Role, number>;
  wru: Record<Role, number>;
  indexWru: number;
  ddbCalls: Record<Role, Record<string, number>>;
  sqs: Record<Role, Record<string, number>>;
  workerMs: number;
  taskSeconds: number;
  noticeLagMs: { p50: number; p99: number };
  sweeper: { ms: number; rru: number; wru: number };
  turns: number;
}

async function runStyle(style: Style): Promise<StyleResult> {
  const env = {
    ...process.env,
    MAX_ACTIVE_TASKS_PER_CALLER: '0',
    MAX_STARTS_PER_MINUTE_PER_CALLER: '0',
    LOG_LEVEL: 'ERROR',
  };
  // No HTTP from the stack itself: the api handler is served below, wrapped in a stopwatch. The
  // sweeper's timer is pushed out of the run; it is measured on its own afterwards.
  const stack = await startLocalStack({ port: 0, http: false, env, sweepIntervalMs: 3_600_000 });
  const { config, core } = stack;
  MAX_WAIT_SECONDS = config.polling.maxWaitSeconds;
  lastConfig = config;
  const ddb = new DynamoMeter();
  ddb.attach(stack.emulators.clients.ddb);
  const sqs = new SqsMeter();
  sqs.attach(stack.emulators.clients.sqs);

  const calls: ApiCall[] = [];
  const inner = createApiHandler({
    config,
    service: core.service,
    logger: createLogger(config),
    loopbackPrincipal: true,
    allowedHosts: [...LOOPBACK_HOSTS],
    telemetry: {
      toolResponse: (_tool, bytes) => {
        const call = requestContext.getStore();
        if (call) call.bytes = bytes;
      },
    },
  });
  const http = await startHttpServer(
    (event) =>
      roleContext.run('api', async () => {
        const call = { bytes: 0 };
        const t0 = performance.now();
        const result = await requestContext.run(call, () => inner(event));
        const ms = performance.now() - t0;
        const name = callName(event);
        calls.push({ agent: event.headers['x-bench-agent'] ?? '?', name, ms, toolBytes: call.bytes, setup: SETUP.has(name) });
        return result;
      }),
    { host: '127.0.0.1', port: 0, maxBodyBytes: config.api.maxBodyBytes },
  );
  const url = `http://127.0.0.1:${http.port}/mcp`;

  const clients = await mapConcurrent(
    Array.from({ length: TASKS }, (_, i) => i),
    10,
    (i) => connect(url, i),
  );
  const t0 = performance.now();
  const seconds = Array.from({ length: TASKS }, (_, i) => MIN_SECONDS + ((MAX_SECONDS - MIN_SECONDS) * i) / Math.max(1, TASKS - 1));
  const runs = await Promise.all(clients.map((c, i) => agent(c, style, seconds[i]!).catch((e: unknown) => ({ error: String(e) }))));
  const wallSeconds = (performance.now() - t0) / 1000;
  await Promise.all(clients.map((c) => c.close()));
  const ok = runs.filter((r): r is AgentRun => 'status' in r && r.status === 'completed');
  const failures = runs.filter((r) => 'error' in r);
  if (failures.length > 0) console.error(`[${style}] ${failures.length} agents failed, e.g. ${JSON.stringify(failures[0])}`);

  // The sweeper, on its own: what one of its once-a-minute runs costs with this traffic behind it.
  const sweepRuns = 5;
  const before = { rru: ddb.byRole.sweeper.rru, wru: ddb.byRole.sweeper.wru };
  const sweepMs: number[] = [];
  const sweeper = createSweeperHandler(core.deps);
  for (let i = 0; i < sweepRuns; i++) {
    const s0 = performance.now();
    await roleContext.run('sweeper', () => sweeper());
    sweepMs.push(performance.now() - s0);
  }

  await http.close();
  await stack.stop(0);

  const n = ok.length;
  const taskCalls = calls.filter((c) => !c.setup);
  const apiMs = taskCalls.map((c) => c.ms);
  const bytesByCall: Record<string, number> = {};
  for (const c of taskCalls) bytesByCall[c.name] = (bytesByCall[c.name] ?? 0) + c.toolBytes / n;
  const workerSpans = ok.map((r) => ddb.workerSpans.get(r.taskId)).filter((s) => s !== undefined);
  const statusCalls = ok.reduce((a, r) => a + r.statusCalls, 0) / n;
  const lags = ok.map((r) => r.noticeLagMs);
  const roles = (pick: (r: Role) => number) => ({ api: pick('api') / n, worker: pick('worker') / n, sweeper: 0 }) as Record<Role, number>;
  return {
    style,
    completed: n,
    wallSeconds,
    requests: taskCalls.length / n,
    statusCalls,
    apiMsPerRequest: { mean: mean(apiMs), p50: percentile(apiMs, 50), p99: percentile(apiMs, 99) },
    apiBilledMs: taskCalls.reduce((a, c) => a + Math.ceil(c.ms), 0) / n,
    toolBytes: taskCalls.reduce((a, c) => a + c.toolBytes, 0) / n,
    bytesByCall,
    setupRequestsPerAgent: calls.filter((c) => c.setup).length / TASKS,
    rru: roles((r) => ddb.byRole[r].rru),
    wru: roles((r) => ddb.byRole[r].wru),
    indexWru: (ddb.byRole.api.indexWru + ddb.byRole.worker.indexWru) / n,
    ddbCalls: { api: ddb.byRole.api.calls, worker: ddb.byRole.worker.calls, sweeper: ddb.byRole.sweeper.calls },
    sqs: sqs.byRole,
    workerMs: workerSpans.reduce((a, s) => a + Math.ceil(s.end - s.start), 0) / workerSpans.length,
    taskSeconds: mean(ok.map((r) => r.seconds)),
    noticeLagMs: { p50: percentile(lags, 50), p99: percentile(lags, 99) },
    sweeper: {
      ms: mean(sweepMs),
      rru: (ddb.byRole.sweeper.rru - before.rru) / sweepRuns,
      wru: (ddb.byRole.sweeper.wru - before.wru) / sweepRuns,
    },
    turns: 1 + (style === 'native' && !AGENT.nativePollsAreTurns ? 1 : statusCalls + (style === 'native' ? 1 : 0)),
  };
}

/** The response bytes the model itself reads: with native tasks the host's tasks/get polls stay out of its context (unless counted as turns). */
const modelBytes = (r: StyleResult) =>
  r.toolBytes - (r.style === 'native' && !AGENT.nativePollsAreTurns ? (r.bytesByCall['tasks/get'] ?? 0) : 0);

const mean = (xs: number[]) => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
const gbSeconds = (ms: number, memoryMb: number) => (ms / 1000) * (memoryMb / 1024);

/** Dollars per 1,000 tasks, line by line. */
function price(r: StyleResult): Array<[string, number, string]> {
  const k = 1_000;
  const lambda = (ms: number, mb: number) => gbSeconds(ms, mb) * PRICES.lambdaArmPerGbSecond;
  const apiInvocations = r.requests;
  const fixedShare = k / ASSUMPTIONS.tasksPerHour;
  const sweeperHour =
    ASSUMPTIONS.sweeperRunsPerHour *
    (PRICES.lambdaPerRequest +
      lambda(Math.ceil(r.sweeper.ms), MEMORY_MB.sweeper) +
      r.sweeper.rru * PRICES.dynamoPerRru +
      r.sweeper.wru * PRICES.dynamoPerWru);
  const idlePollingHour = ASSUMPTIONS.idleEventSourceReceivesPerHour * PRICES.sqsPerRequest;
  const sends = (r.sqs.api.SendMessage ?? 0) / r.completed;
  const invocations = apiInvocations + 1 + ASSUMPTIONS.authorizerCallsPerTask;
  const turnsTokens = r.turns * AGENT.contextTokens + modelBytes(r) / AGENT.bytesPerToken;
  return [
    ['API Gateway HTTP API requests', k * apiInvocations * PRICES.httpApiPerRequest, `${fmt(apiInvocations, 2)} req/task`],
    ['api Lambda requests', k * apiInvocations * PRICES.lambdaPerRequest, `${fmt(apiInvocations, 2)} inv/task`],
    ['api Lambda duration', k * lambda(r.apiBilledMs, MEMORY_MB.api), `${fmt(r.apiBilledMs, 0)} billed ms/task at ${MEMORY_MB.api} MB`],
    [
      'api Lambda INIT (cold starts)',
      k * apiInvocations * ASSUMPTIONS.apiColdStartShare * lambda(ASSUMPTIONS.apiInitMs, MEMORY_MB.api),
      `${ASSUMPTIONS.apiColdStartShare * 100}% × ${ASSUMPTIONS.apiInitMs} ms`,
    ],
    [
      'authorizer Lambda (API keys)',
      k *
        ASSUMPTIONS.authorizerCallsPerTask *
        (PRICES.lambdaPerRequest +
          lambda(ASSUMPTIONS.authorizerMs, MEMORY_MB.authorizer) +
          ASSUMPTIONS.authorizerRruPerCall * PRICES.dynamoPerRru),
      `${ASSUMPTIONS.authorizerCallsPerTask}/task (1 min cache), 0 with JWT`,
    ],
    ['worker Lambda requests', k * PRICES.lambdaPerRequest, '1 inv/task (batch size 1)'],
    [
      'worker Lambda duration',
      k * lambda(r.workerMs + ASSUMPTIONS.workerOverheadMs, MEMORY_MB.worker),
      `${fmt((r.workerMs + ASSUMPTIONS.workerOverheadMs) / 1000, 2)} s/task at ${MEMORY_MB.worker} MB`,
    ],
    [
      'worker Lambda INIT (cold starts)',
      k * ASSUMPTIONS.workerColdStartShare * lambda(ASSUMPTIONS.workerInitMs, MEMORY_MB.worker),
      `${ASSUMPTIONS.workerColdStartShare * 100}% × ${ASSUMPTIONS.workerInitMs} ms`,
    ],
    ['DynamoDB reads', k * (r.rru.api + r.rru.worker) * PRICES.dynamoPerRru, `${fmt(r.rru.api + r.rru.worker, 1)} RRU/task`],
    [
      'DynamoDB writes',
      k * (r.wru.api + r.wru.worker) * PRICES.dynamoPerWru,
      `${fmt(r.wru.api + r.wru.worker, 1)} WRU/task (${fmt(r.indexWru, 1)} for indexes)`,
    ],
    [
      'SQS requests',
      k * (sends + ASSUMPTIONS.sqsEventSourceRequestsPerTask) * PRICES.sqsPerRequest,
      `${fmt(sends + ASSUMPTIONS.sqsEventSourceRequestsPerTask, 0)} req/task`,
    ],
    [
      'CloudWatch Logs ingestion',
      (k * invocations * ASSUMPTIONS.logBytesPerInvocation * PRICES.logsPerGbIngested) / 1024 ** 3,
      `${ASSUMPTIONS.logBytesPerInvocation} B/invocation`,
    ],
    [
      'fixed: sweeper + idle SQS polling',
      fixedShare * (sweeperHour + idlePollingHour),
      `$${fmt(sweeperHour + idlePollingHour, 4)}/h over ${ASSUMPTIONS.tasksPerHour} tasks/h`,
    ],
    [
      'agent: model input tokens',
      k * turnsTokens * AGENT.inputPricePerToken,
      `${fmt(r.turns, 2)} turns × ${AGENT.contextTokens} + ${fmt(modelBytes(r) / AGENT.bytesPerToken, 0)} response tokens`,
    ],
  ];
}

const fmt = (x: number, digits: number) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const dollars = (x: number) => `$${x >= 1 ? x.toFixed(2) : x < 0.01 ? x.toFixed(5) : x.toFixed(4)}`;

function report(r: StyleResult): { infra: number; agent: number } {
  const lines = price(r);
  const infra = lines.filter(([name]) => !name.startsWith('agent')).reduce((a, [, v]) => a + v, 0);
  const agentCost = lines.filter(([name]) => name.startsWith('agent')).reduce((a, [, v]) => a + v, 0);
  const byCall = Object.entries(r.bytesByCall)
    .map(([name, b]) => `${name} ${fmt(b, 0)}`)
    .join(', ');
  const sqsLocal = Object.entries({ ...r.sqs.api, ...prefix('worker ', r.sqs.worker) })
    .map(([name, v]) => `${name} ${fmt(v / r.completed, 2)}`)
    .join(', ');
  console.log(
    `\n== ${r.style} ==  ${r.completed}/${TASKS} tasks completed of ${fmt(r.taskSeconds, 1)} s mean, wall ${fmt(r.wallSeconds, 1)} s`,
  );
  console.log('measured per task');
  const rows: Array<[string, string]> = [
    ['MCP requests (= API GW requests = api invocations)', `${fmt(r.requests, 2)} (${fmt(r.statusCalls, 2)} status calls)`],
    ['  + per agent session, once (initialize, tools/list, …)', fmt(r.setupRequestsPerAgent, 1)],
    [
      'api handler ms per request (mean / p50 / p99)',
      `${fmt(r.apiMsPerRequest.mean, 1)} / ${fmt(r.apiMsPerRequest.p50, 1)} / ${fmt(r.apiMsPerRequest.p99, 1)}`,
    ],
    ['api billed ms per task', fmt(r.apiBilledMs, 0)],
    ['DynamoDB RRU api / worker', `${fmt(r.rru.api, 1)} / ${fmt(r.rru.worker, 1)}`],
    ['DynamoDB WRU api / worker (index part)', `${fmt(r.wru.api, 1)} / ${fmt(r.wru.worker, 1)} (${fmt(r.indexWru, 1)})`],
    ['DynamoDB calls api', calls(r.ddbCalls.api, r.completed)],
    ['DynamoDB calls worker', calls(r.ddbCalls.worker, r.completed)],
    ['SQS requests on the local stack', sqsLocal],
    ['worker busy ms per task', fmt(r.workerMs, 0)],
    ['agent notices the end after (p50 / p99)', `${fmt(r.noticeLagMs.p50 / 1000, 2)} s / ${fmt(r.noticeLagMs.p99 / 1000, 2)} s`],
    ['response bytes the client reads (≈ tokens)', `${fmt(r.toolBytes, 0)} (${fmt(r.toolBytes / AGENT.bytesPerToken, 0)}): ${byCall}`],
    ['  of which the model reads (≈ tokens)', `${fmt(modelBytes(r), 0)} (${fmt(modelBytes(r) / AGENT.bytesPerToken, 0)})`],
    ['model turns', fmt(r.turns, 2)],
    ['sweeper run (ms, RRU, WRU)', `${fmt(r.sweeper.ms, 0)}, ${fmt(r.sweeper.rru, 1)}, ${fmt(r.sweeper.wru, 1)}`],
  ];
  for (const [name, value] of rows) console.log(`  ${name.padEnd(54)} ${value}`);
  console.log('$ per 1,000 tasks (us-east-1 list prices)');
  for (const [name, value, note] of lines) console.log(`  ${name.padEnd(36)} ${dollars(value).padStart(10)}  ${note}`);
  console.log(`  ${'AWS total'.padEnd(36)} ${dollars(infra).padStart(10)}`);
  console.log(`  ${'AWS + agent tokens'.padEnd(36)} ${dollars(infra + agentCost).padStart(10)}`);
  return { infra, agent: agentCost };
}

const calls = (o: Record<string, number>, n: number) =>
  Object.entries(o)
    .map(([name, v]) => `${name} ${fmt(v / n, 2)}`)
    .join(', ');
const prefix = (p: string, o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [p + k, v]));

console.log(
  `bench:cost — ${TASKS} tasks of ${MIN_SECONDS}–${MAX_SECONDS} s per style, all started at once; ` +
    `agent context ${AGENT.contextTokens} tokens at $${fmt(AGENT.inputPricePerToken * 1e6, 2)}/M input; webhook style: not implemented, not measured`,
);
const totals: Array<{ style: Style; infra: number; agent: number }> = [];
const results: StyleResult[] = [];
for (const style of STYLES) {
  const result = await runStyle(style);
  results.push(result);
  totals.push({ style, ...report(result) });
}
// API_MEMORY_MB what-if: a long-poll's held time is idle, so it scales with memory alone; the
// others' busy time would grow somewhat at less memory (less CPU), so theirs are lower bounds.
console.log('\napi Lambda duration $ per 1,000 tasks by API_MEMORY_MB (measured ms; less memory = less CPU, not modelled)');
for (const r of results) {
  const at = (mb: number) => dollars(1_000 * gbSeconds(r.apiBilledMs, mb) * PRICES.lambdaArmPerGbSecond);
  console.log(`  ${r.style.padEnd(10)} 256 MB ${at(256)}   512 MB ${at(512)}   1024 MB ${at(1024)}   2048 MB ${at(2048)}`);
}
// Beyond the measured 10–15 s: status calls each style needs for longer tasks, from the server's own
// hints (poll_after_ms / pollInterval) and long-poll wait, computed rather than run; each call is a model turn.
const polling = results.length > 0 ? lastConfig!.polling : undefined;
if (polling) {
  const pollCalls = (taskMs: number) => {
    let age = 0;
    let calls = 0;
    while (age < taskMs) {
      // The age-only backoff (initial interval, × multiplier once the age passes it, capped); a
      // progress-aware hint can only be shorter.
      let interval = polling.initialIntervalMs;
      while (interval * polling.multiplier <= age && interval < polling.maxIntervalMs) interval *= polling.multiplier;
      age += Math.min(interval, polling.maxIntervalMs);
      calls++;
    }
    return calls;
  };
  const turnCost = (turns: number) => dollars(1_000 * turns * AGENT.contextTokens * AGENT.inputPricePerToken);
  const held = (taskMs: number) => dollars(1_000 * gbSeconds(taskMs, MEMORY_MB.api) * PRICES.lambdaArmPerGbSecond);
  console.log(
    `\nstatus calls by task length (computed from the server's age-based backoff, POLL_* settings; $ = model input per 1,000 tasks; long-poll also holds the api Lambda for the task's length)`,
  );
  console.log(
    `  ${'task'.padEnd(8)} ${'poll'.padStart(16)} ${`long-poll ${polling.maxWaitSeconds} s`.padStart(20)} ${'long-poll 25 s'.padStart(20)} ${'native (host polls)'.padStart(22)} ${'long-poll held api $'.padStart(21)}`,
  );
  for (const seconds of [15, 60, 300, 900]) {
    const ms = seconds * 1000;
    const poll = pollCalls(ms);
    const lp = Math.ceil(seconds / polling.maxWaitSeconds);
    const lp25 = Math.ceil(seconds / 25);
    const cell = (calls: number) => `${calls} ${turnCost(calls + 1)}`;
    console.log(
      `  ${`${seconds} s`.padEnd(8)} ${cell(poll).padStart(16)} ${cell(lp).padStart(20)} ${cell(lp25).padStart(20)} ${`${poll} gets ${turnCost(2)}`.padStart(22)} ${held(ms).padStart(21)}`,
    );
  }
}

const all = totals.map((t) => ({ ...t, total: t.infra + t.agent })).sort((a, b) => a.total - b.total);
const cheapest = all[0]!;
console.log('\nsummary, $ per 1,000 tasks');
console.log(`  ${'style'.padEnd(10)} ${'AWS'.padStart(10)} ${'agent'.padStart(10)} ${'total'.padStart(10)}`);
for (const t of all)
  console.log(`  ${t.style.padEnd(10)} ${dollars(t.infra).padStart(10)} ${dollars(t.agent).padStart(10)} ${dollars(t.total).padStart(10)}`);
const others = all.slice(1).map((t) => `${t.style} by ${dollars(t.total - cheapest.total)} (${fmt(t.total / cheapest.total, 2)}×)`);
console.log(`  cheapest overall: ${cheapest.style}; it beats ${others.join(', ')}`);
const byInfra = [...all].sort((a, b) => a.infra - b.infra);
console.log(
  `  cheapest on AWS alone: ${byInfra[0]!.style} (${dollars(byInfra[0]!.infra)} vs ${byInfra
    .slice(1)
    .map((t) => `${t.style} ${dollars(t.infra)}`)
    .join(', ')})`,
);
