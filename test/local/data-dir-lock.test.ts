import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../local/data-dir-lock.js';
import { startLocalStack, StartupError } from '../../local/stack.js';
import { bannerUrl, startEntry } from './spawn-entry.js';

const QUIET = { LOG_LEVEL: 'SILENT' };
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-async-tasks-lock-'));
  dirs.push(dir);
  return dir;
}

describe('one process per data directory', () => {
  it('refuses a second npm start on the same data directory with one line naming it and the holder; the first keeps working', async () => {
    const dataDir = tempDataDir();
    const first = startEntry(['--port', '0', '--data-dir', dataDir]);
    try {
      const url = await bannerUrl(first);

      const second = startEntry(['--port', '0', '--data-dir', dataDir]);
      expect(await second.exited).toBe(1);
      expect(second.output.stderr).toBe(
        `mcp-async-tasks: data directory ${dataDir} is in use by process ${first.child.pid}; stop that process or choose another data directory\n`,
      );

      const client = new Client({ name: 'lock-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      const done = await client.callTool({
        name: 'initiate_background_task',
        arguments: { operation_type: 'delay', parameters: { seconds: 0, echo: 'still here' }, wait_seconds: 10 },
      });
      expect(done.structuredContent).toMatchObject({ status: 'completed', result: { echo: 'still here' } });
      await client.close();
    } finally {
      first.child.kill('SIGINT');
    }
    expect(await first.exited).toBe(0);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false); // released on stop
  });

  it('refuses a second stack in the same process with a StartupError naming the directory', async () => {
    const dataDir = tempDataDir();
    const stack = await startLocalStack({ port: 0, dataDir, env: QUIET });
    try {
      const error = await startLocalStack({ port: 0, dataDir, env: QUIET }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StartupError);
      expect((error as Error).message).toBe(
        `data directory ${dataDir} is in use by process ${process.pid}; stop that process or choose another data directory`,
      );
    } finally {
      await stack.stop(0);
    }
  });

  it('takes over a lock holding its own pid that it did not take (left by an earlier process: containers reuse pids)', async () => {
    const dataDir = tempDataDir();
    writeFileSync(join(dataDir, LOCK_FILE), String(process.pid));

    const stack = await startLocalStack({ port: 0, dataDir, env: QUIET });
    await stack.stop(0);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });

  it('takes over a lock left by a process that is gone, and releases it on stop', async () => {
    const dataDir = tempDataDir();
    const gone = spawnSync(process.execPath, ['-e', '']).pid!; // exited: a crashed holder's pid
    writeFileSync(join(dataDir, LOCK_FILE), String(gone));

    const stack = await startLocalStack({ port: 0, dataDir, env: QUIET });
    expect(readFileSync(join(dataDir, LOCK_FILE), 'utf8')).toBe(String(process.pid));
    await stack.stop(0);
    expect(existsSync(join(dataDir, LOCK_FILE))).toBe(false);
  });
});
