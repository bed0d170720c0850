import { spawn, type ChildProcess } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** What resolve_task_status / initiate_background_task return, as far as the benchmarks read it. */
export interface TaskView {
  task_ref: string;
  status: string;
  finished_at?: string | null;
  error?: { code: string; message: string } | null;
  result?: unknown;
}

export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** A connected MCP SDK client over Streamable HTTP. */
export async function connectClient(url: string, name = 'bench'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** Calls a tool and returns its structured result. @throws on a tool error, naming it. */
export async function callTool(client: Client, name: string, args: Record<string, unknown>): Promise<TaskView> {
  const result = await client.callTool({ name, arguments: args });
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as unknown as TaskView;
}

/** The p-th percentile (0–100) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs `worker` over `items` with at most `concurrency` at a time. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  worker: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await worker(items[i]!, i);
      }
    }),
  );
  return results;
}

/** Milliseconds formatted for a report line. */
export const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 0)} ms`;

/** A server started as a child process, ready once its output matched. */
export interface ServerProcess {
  child: ChildProcess;
  /** What `ready` extracted from the output. */
  found: string;
  /** Stops it (SIGTERM) and waits for the exit. */
  stop(): Promise<void>;
}

/** Runs a TypeScript entry point in a child node process and waits until `ready` matches its stdout. */
export function startServerProcess(
  entry: string,
  args: string[],
  env: Record<string, string | undefined>,
  ready: RegExp,
): Promise<ServerProcess> {
  // BENCH_PROFILE_DIR=dir writes the server's CPU profile there (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', entry, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(ready);
      if (match) {
        resolve({
          child,
          found: match[1]!,
          stop: async () => {
            if (child.exitCode !== null) return;
            const exited = new Promise((done) => child.once('exit', done));
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`${entry} exited with code ${code} before it was ready`)));
  });
}
