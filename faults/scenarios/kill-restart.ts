import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { callTool, startServerProcess, type ServerProcess } from '../../bench/support.js';
import { createAwsClients, type LocalEndpoints } from '../../lambda/shared/aws-clients.js';
import { loadConfig } from '../../lambda/shared/config.js';
import { createCore } from '../../lambda/tasks/core.js';
import { checkTasks, either, settle, workerLost, type Tracked } from '../check.js';
import { OWNERS, probeMix, SWEEP_INTERVAL_MS, tokenOf, type ProbeSpec } from '../harness.js';
import { observedFrom, transitionsByTask, type Transition } from '../observe.js';
import { runStats, type RunEvent } from '../probe.js';
import type { ServeEvent } from '../serve.js';
import { sized, type Scenario } from '../scenario.js';

/** What faults/serve.ts prints once it serves. */
interface Served {
  url: string;
  endpoints: LocalEndpoints;
  tableName: string;
  queueUrl: string;
}

const KILLS = 4;

/**
 * kill -9 of the whole local stack (one process: emulators, api, poller, sweeper) at random moments
 * while callers submit over MCP and tasks run, then a restart on the same data directory, whose
 * start-up recovery must rescue every orphan. Submits cut off by a kill are retried on the next
 * life with the same idempotency key. A task may run again after a kill (never twice at once); one
 * whose worker died on every attempt ends worker_lost.
 */
export const killRestart: Scenario = {
  name: 'kill-restart',
  fault: `kill -9 of the stack process ${KILLS} times under load, restart on the same data directory`,
  size: sized(200, 15),
  async run({ scale, rng }) {
    const startedAt = Date.now();
    const dataDir = mkdtempSync(join(tmpdir(), 'mcp-async-tasks-faults-'));
    const eventsFile = join(dataDir, 'events.jsonl');
    const specs = probeMix(rng, this.size(scale), 'kill', { maxSeconds: 2.5, maxWaitSeconds: 60 }).map((spec) => ({
      ...spec,
      judge: either(spec.judge, workerLost),
      maxRuns: 3,
    }));
    const accepted = new Map<string, string>(); // key → task id
    const killedAt: number[] = [];
    let server: ServerProcess | undefined;
    try {
      for (let life = 0; life <= KILLS; life++) {
        server = await startServerProcess('faults/serve.ts', [dataDir, eventsFile, String(life)], {}, /^(\{.*\})$/m);
        // Should this process exit early, the stack must not outlive it.
        const child = server.child;
        process.once('exit', () => child.kill('SIGKILL'));
        const served = JSON.parse(server.found) as Served;
        const clients = await Promise.all(OWNERS.map((owner) => connect(served.url, owner)));
        const share = Math.ceil(specs.length / (KILLS + 1));
        // Earlier submits a kill cut off come first, with the same idempotency key.
        const batch = specs.slice(0, (life + 1) * share).filter((s) => !accepted.has(s.key));
        if (life < KILLS) {
          const killAt = Date.now() + rng.between(800, 3_000);
          const submitting = submitAll(clients, batch, accepted, () => Date.now() < killAt);
          await sleep(Math.max(0, killAt - Date.now()));
          const exited = new Promise((resolve) => server!.child.once('exit', resolve));
          server.child.kill('SIGKILL');
          await exited;
          killedAt.push(Date.now());
          await submitting;
          await Promise.all(clients.map((c) => c.close().catch(() => {})));
          continue;
        }
        for (let pass = 0; pass < 3 && accepted.size < specs.length; pass++) {
          await submitAll(
            clients,
            batch.filter((s) => !accepted.has(s.key)),
            accepted,
            () => true,
          );
        }
        await Promise.all(clients.map((c) => c.close().catch(() => {})));
        if (accepted.size !== specs.length) throw new Error(`only ${accepted.size} of ${specs.length} tasks were accepted`);

        const readerClients = createAwsClients(served.endpoints);
        const reader = createCore(loadConfig({ TASK_TABLE: served.tableName, TASK_QUEUE_URL: served.queueUrl }), readerClients).store;
        const tracked: Tracked[] = specs.map((s) => ({ taskId: accepted.get(s.key)!, key: s.key, judge: s.judge, maxRuns: s.maxRuns }));
        const records = await settle(
          (id) => reader.get(id),
          tracked.map((t) => t.taskId),
          SWEEP_INTERVAL_MS * 2 + 1_000,
        );
        readerClients.ddb.destroy();
        readerClients.sqs.destroy();
        const { runs, transitions } = readEvents(eventsFile);
        return checkTasks(
          this.name,
          tracked,
          {
            records,
            runs: runStats(runs),
            transitions: transitionsByTask(transitions),
            killedSoonAfter: (t) => killedAt.some((kill) => kill >= t && kill - t < 2_000),
          },
          startedAt,
          [
            `killed at ${killedAt.map((at) => `${((at - startedAt) / 1000).toFixed(1)} s`).join(', ')}; ${runs.filter((r) => r.type === 'start').length} runs started`,
            observedFrom(transitions),
          ],
        );
      }
      throw new Error('unreachable');
    } finally {
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

/** An MCP client over Streamable HTTP acting as `owner`. */
async function connect(url: string, owner: string): Promise<Client> {
  const client = new Client({ name: `faults-${owner}`, version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${tokenOf(owner)}` } } }),
  );
  return client;
}

/** Submits over MCP, 8 at a time, while `more()`; a submit the kill cut off stays unaccepted for the next life. */
async function submitAll(clients: Client[], batch: ProbeSpec[], accepted: Map<string, string>, more: () => boolean): Promise<void> {
  const queue = [...batch];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let spec = queue.shift(); spec && more(); spec = queue.shift()) {
        const client = clients[OWNERS.indexOf(spec.owner)]!;
        try {
          const view = await callTool(client, 'initiate_background_task', {
            operation_type: 'probe',
            parameters: { key: spec.key, ...spec.params },
            idempotency_key: spec.key,
            max_wait_seconds: spec.maxWaitSeconds,
          });
          accepted.set(spec.key, view.task_ref);
        } catch {
          // The server died under this call; the next life submits it again.
        }
      }
    }),
  );
}

/** Run events and terminal transitions from every life of the server; a line cut short by a kill is skipped. */
function readEvents(path: string): { runs: RunEvent[]; transitions: Transition[] } {
  const runs: RunEvent[] = [];
  const transitions: Transition[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    let event: ServeEvent;
    try {
      event = JSON.parse(line) as ServeEvent;
    } catch {
      continue;
    }
    if (event.kind === 'run') runs.push(event);
    else transitions.push(event);
  }
  return { runs, transitions };
}
