import { describe, expect, it } from 'vitest';
import { startLocalStack } from '../../local/stack.js';
import { listeningSockets } from './listening-sockets.js';

const QUIET = { LOG_LEVEL: 'SILENT' };
const port = (url: string) => Number(new URL(url).port);

// Reads Linux's /proc to see which addresses this process listens on.
describe.skipIf(process.platform !== 'linux')('what the local stack listens on', () => {
  it('listens on loopback only: exactly dynalite, fauxqs and the MCP HTTP server, all on 127.0.0.1', async () => {
    expect(listeningSockets()).toEqual([]);
    const stack = await startLocalStack({ port: 0, env: QUIET });
    try {
      const expected = [port(stack.emulators.endpoints.dynamodb), port(stack.emulators.endpoints.sqs), port(stack.url!)];
      expect(sorted(listeningSockets())).toEqual(sorted(expected.map((p) => ({ address: '127.0.0.1', port: p }))));
    } finally {
      await stack.stop(0);
    }
    expect(listeningSockets()).toEqual([]);
  });

  it('moves only the MCP HTTP server with --host; the emulators stay on 127.0.0.1', async () => {
    // 127.0.0.2 is another loopback address on Linux: a host other than the default, exposing nothing.
    const stack = await startLocalStack({ host: '127.0.0.2', port: 0, env: QUIET });
    try {
      expect(sorted(listeningSockets())).toEqual(
        sorted([
          { address: '127.0.0.1', port: port(stack.emulators.endpoints.dynamodb) },
          { address: '127.0.0.1', port: port(stack.emulators.endpoints.sqs) },
          { address: '127.0.0.2', port: port(stack.url!) },
        ]),
      );
    } finally {
      await stack.stop(0);
    }
  });
});

function sorted<T extends { port: number }>(sockets: T[]): T[] {
  return [...sockets].sort((a, b) => a.port - b.port);
}
