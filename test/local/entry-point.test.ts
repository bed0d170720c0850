import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bannerUrl, startEntry } from './spawn-entry.js';

describe('bin/local.ts (npm start)', () => {
  it('prints the endpoint, then stops cleanly on SIGINT with exit code 0', async () => {
    const run = startEntry(['--port', '0', '--in-memory']);
    await bannerUrl(run);
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
      const lines = run.output.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('mcp-async-tasks:'));
      expect(lines).toEqual([
        `mcp-async-tasks: port ${port} on 127.0.0.1 is already in use; stop the other process or set PORT (PORT=0 picks a free one)`,
      ]);
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
