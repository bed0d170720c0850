import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it, onTestFinished } from 'vitest';
import { bannerUrl, startEntry, startNpm, type Run } from './spawn-entry.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every process below `root`, found through the parent pid in /proc/<pid>/stat. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      // pid (comm) state ppid ...; comm may hold spaces, so read after its closing parenthesis
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  for (let queue = [root]; queue.length > 0; ) {
    const next = children.get(queue.shift()!) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
}

/** Alive and not a zombie waiting for its parent to collect it. */
function isRunning(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

async function canListenOn(port: number): Promise<boolean> {
  const server = createServer().listen(port, '127.0.0.1');
  const listening = await Promise.race([once(server, 'listening').then(() => true), once(server, 'error').then(() => false)]);
  if (listening) server.close();
  return listening;
}

/** Its exit code, or 'still running' after `ms`. */
function exitWithin(run: Run, ms: number): Promise<number | null | 'still running'> {
  return Promise.race([run.exited, sleep(ms).then(() => 'still running' as const)]);
}

/** npm and everything it started, each killed at the end of the test should it still run. */
async function startNpmServer(options: { processGroup?: boolean } = {}) {
  const run = startNpm(['--port', '0', '--in-memory'], options);
  const port = Number(new URL(await bannerUrl(run)).port);
  const processes = descendants(run.child.pid!);
  onTestFinished(() => {
    for (const pid of processes.filter(isRunning)) process.kill(pid, 'SIGKILL');
  });
  expect(processes.length).toBeGreaterThan(0);
  return { run, port, processes };
}

/** The entry point with one `delay` task of `seconds` already running. */
async function startWithRunningTask(seconds: number): Promise<Run> {
  const run = startEntry(['--port', '0', '--in-memory']);
  onTestFinished(() => void run.child.kill('SIGKILL')); // should it not exit
  const client = new Client({ name: 'signals-test', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(await bannerUrl(run))));
  const status = async (args: Record<string, unknown>, name = 'resolve_task_status') =>
    (await client.callTool({ name, arguments: args })).structuredContent as { task_ref: string; status: string };
  const task = await status({ operation_type: 'delay', parameters: { seconds } }, 'initiate_background_task');
  for (let i = 0; i < 50 && (await status({ task_ref: task.task_ref })).status !== 'processing'; i++) await sleep(100);
  await client.close();
  return run;
}

// /proc tells which processes npm started and whether they are gone.
describe.skipIf(process.platform !== 'linux')('npm start and signals', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops the server on %s to the npm process, frees the port and leaves no process behind',
    async (signal) => {
      const { run, port, processes } = await startNpmServer();
      process.kill(run.child.pid!, signal);
      expect(await exitWithin(run, 8_000)).toBe(0);
      await sleep(500); // were anything orphaned, it would still be running now
      expect(processes.filter(isRunning)).toEqual([]);
      expect(await canListenOn(port)).toBe(true);
    },
  );

  it("stops gracefully on Ctrl-C in a terminal (SIGINT to npm's whole process group), not as a second press", async () => {
    const { run, port } = await startNpmServer({ processGroup: true });
    process.kill(-run.child.pid!, 'SIGINT');
    expect(await exitWithin(run, 8_000)).toBe(0);
    expect(run.output.stdout + run.output.stderr).not.toContain('second signal');
    expect(await canListenOn(port)).toBe(true);
  });

  it('takes two SIGINTs a moment apart as one press: the running task gets its grace period', async () => {
    const run = await startWithRunningTask(2);
    const sentAt = Date.now();
    run.child.kill('SIGINT');
    await sleep(50);
    run.child.kill('SIGINT');
    expect(await exitWithin(run, 8_000)).toBe(0);
    expect(Date.now() - sentAt).toBeGreaterThan(1_000); // it waited for the task
  });

  it('quits at once, exit 130, on a second SIGINT while the first still waits for a task', async () => {
    const run = await startWithRunningTask(10);
    run.child.kill('SIGINT');
    await sleep(1_000);
    run.child.kill('SIGINT');
    expect(await exitWithin(run, 3_000)).toBe(130);
  });
});
