import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** `npm start`'s entry point as a child process, with what it printed. */
function startEntry(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts', ...args], {
    env: { ...process.env, LOG_LEVEL: 'WARN' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (c: Buffer) => (output.stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output.stderr += c.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, output, exited };
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 100));
  if (!predicate()) throw new Error(`timed out waiting for ${what}`);
}

describe('bin/local.ts (npm start)', () => {
  it('prints the endpoint, then stops cleanly on SIGINT with exit code 0', async () => {
    const run = startEntry(['--port', '0', '--in-memory']);
    await until(() => /MCP endpoint\s+http:\/\/127\.0\.0\.1:\d+\/mcp/.test(run.output.stdout), 'the banner');
    expect(run.output.stdout).toContain('claude mcp add --transport http');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('refuses a port in use with one clear line and a non-zero exit', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = startEntry(['--port', String(port), '--in-memory']);
      expect(await run.exited).toBe(1);
      const lines = run.output.stderr.trim().split('\n').filter((l) => l.startsWith('mcp-async-tasks:'));
      expect(lines).toEqual([`mcp-async-tasks: port ${port} on 127.0.0.1 is already in use; stop the other process or set PORT (PORT=0 picks a free one)`]);
      expect(run.output.stderr).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      blocker.close();
    }
  });

  it('refuses a bad option value naming it', async () => {
    const run = startEntry(['--port', 'lots']);
    expect(await run.exited).toBe(1);
    expect(run.output.stderr).toContain('mcp-async-tasks: port must be an integer from 0 to 65535, not "lots"');
  });

  it('refuses a data directory it cannot write, naming it', async () => {
    const file = join(tmpdir(), `mcp-async-tasks-not-a-dir-${process.pid}`);
    writeFileSync(file, 'a file, not a directory');
    const run = startEntry(['--port', '0', '--data-dir', join(file, 'data')]);
    expect(await run.exited).toBe(1);
    expect(run.output.stderr).toMatch(new RegExp(`^mcp-async-tasks: data directory ${join(file, 'data')} is not writable: `, 'm'));
  });
});
