declare module 'dynalite' {
  import type { Server } from 'node:net';

  interface DynaliteOptions {
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    maxItemSizeKb?: number;
  }

  /** An in-process DynamoDB (LevelDB underneath); `listen` it like a net.Server. */
  export default function dynalite(options?: DynaliteOptions): Server;
}
