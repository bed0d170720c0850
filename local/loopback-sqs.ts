import type { AddressInfo } from 'node:net';
import { buildApp } from 'fauxqs';

/** The embedded SQS, reachable from this machine only. */
export interface LoopbackSqs {
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts fauxqs's SQS on a free port of 127.0.0.1.
 *
 * Not through `startFauxqs`: fauxqs 1.9.2 listens on 0.0.0.0 whatever it is given (its `host`
 * option is the host written into queue URLs, not the bind address), which would put the queue on
 * every network interface. `buildApp`, a documented export, builds the same app without
 * listening, so the address is ours to choose. Nothing from fauxqs is patched or copied.
 */
export async function startLoopbackSqs(): Promise<LoopbackSqs> {
  const app = buildApp({ logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    port: (app.server.address() as AddressInfo).port,
    stop: async () => {
      await app.close();
    },
  };
}
