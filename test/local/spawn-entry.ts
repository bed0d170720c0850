import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** A child process with what it printed so far and its exit code to come. */
export interface Run {
  child: ReturnType<typeof spawn>;
  output: { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

/** `npm start`'s entry point as one node process, as the tests have always started it. */
export function startEntry(args: string[], options: { stdin?: 'pipe' | 'ignore' } = {}): Run {
  return run(process.execPath, ['--import', 'tsx', 'bin/local.ts', ...args], options.stdin ?? 'ignore');
}

/**
 * `npm start -- args` itself: npm, then whatever the start script runs. `processGroup` puts them in
 * a process group of their own, as a terminal does, to signal them all like Ctrl-C.
 */
export function startNpm(args: string[], options: { processGroup?: boolean } = {}): Run {
  return run('npm', ['start', '--silent', '--', ...args], 'ignore', options.processGroup);
}

function run(command: string, args: string[], stdin: 'pipe' | 'ignore', detached = false): Run {
  const child = spawn(command, args, { env: { ...process.env, LOG_LEVEL: 'WARN' }, stdio: [stdin, 'pipe', 'pipe'], detached });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (c: Buffer) => (output.stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output.stderr += c.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output, exited };
}

/** The MCP endpoint from the banner, once it is printed. */
export async function bannerUrl(run: Run): Promise<string> {
  const pattern = /MCP endpoint\s+(http:\/\/127\.0\.0\.1:\d+\/mcp)/;
  await until(() => pattern.test(run.output.stdout), 'the banner');
  return pattern.exec(run.output.stdout)![1]!;
}

export async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 100));
  if (!predicate()) throw new Error(`timed out waiting for ${what}`);
}
