/**
 * `npm run bench:restart`: kill the local stack with SIGKILL in the middle of 50 running tasks,
 * start it again on the same data directory, and check that every task still reaches a terminal
 * state readable through resolve_task_status. Exits non-zero when any task is lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { callTool, connectClient, mapConcurrent, startServerProcess, TERMINAL, type ServerProcess } from './support.js';

const TASKS = Number(process.env.BENCH_TASKS ?? 50);

/** Starts `npm start`'s entry point as a child process on the data directory. */
function startServer(dataDir: string): Promise<ServerProcess> {
  return startServerProcess(
    'bin/local.ts',
    ['--port', '0', '--data-dir', dataDir],
    { LOG_LEVEL: process.env.LOG_LEVEL ?? 'WARN' },
    /MCP endpoint\s+(http:\/\/\S+\/mcp)/,
  );
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mcp-async-tasks-restart-'));
  try {
    const first = await startServer(dataDir);
    const client = await connectClient(first.found, 'restart-bench');
    const refs = await mapConcurrent(
      Array.from({ length: TASKS }),
      10,
      async (_, i) =>
        (await callTool(client, 'initiate_background_task', { operation_type: 'delay', parameters: { seconds: 5 + (i % 4), echo: i } }))
          .task_ref,
    );
    await sleep(2_000); // all of them are mid-flight now
    const statuses = await mapConcurrent(
      refs,
      10,
      async (ref) => (await callTool(client, 'resolve_task_status', { task_ref: ref })).status,
    );
    console.log(
      `before the kill: ${TASKS} tasks, ${statuses.filter((s) => s === 'processing').length} processing, ${statuses.filter((s) => s === 'pending').length} pending`,
    );
    await client.close().catch(() => {});
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    console.log('killed the server with SIGKILL; restarting on the same data directory');

    const t0 = performance.now();
    const second = await startServer(dataDir);
    const again = await connectClient(second.found, 'restart-bench');
    const finals = await mapConcurrent(refs, TASKS, async (ref) => {
      for (let i = 0; i < 6; i++) {
        const view = await callTool(again, 'resolve_task_status', { task_ref: ref, wait_seconds: 20 });
        if (TERMINAL.has(view.status)) return view;
      }
      return undefined;
    });
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    await again.close();
    await second.stop();

    const lost = finals.filter((v) => v === undefined).length;
    const byOutcome = new Map<string, number>();
    for (const v of finals) if (v) byOutcome.set(v.error?.code ?? v.status, (byOutcome.get(v.error?.code ?? v.status) ?? 0) + 1);
    console.log(`after the restart (${seconds} s): ${[...byOutcome].map(([k, n]) => `${n} ${k}`).join(', ')}; lost ${lost}`);
    if (lost > 0) {
      console.error(`FAIL: ${lost} of ${TASKS} tasks never reached a terminal state`);
      process.exitCode = 1;
    } else {
      console.log(`OK: all ${TASKS} tasks reached a terminal state`);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:restart failed: ${(error as Error).message}`);
  process.exit(1);
});
