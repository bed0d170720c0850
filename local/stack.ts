import { mkdirSync, accessSync, constants } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Log } from '../lambda/shared/log.js';
import { createApiHandler } from '../lambda/handlers/api.js';
import { createSweeperHandler } from '../lambda/handlers/sweeper.js';
import { createWorkerHandler } from '../lambda/handlers/worker.js';
import { LOOPBACK_HOSTS } from '../lambda/http/origin-guard.js';
import { parseAuthTokens } from '../lambda/http/principal.js';
import type { Operation } from '../lambda/operations/operation.js';
import { loadConfig, type Config } from '../lambda/shared/config.js';
import { createLogger } from '../lambda/shared/telemetry.js';
import { createCore, type Core } from '../lambda/tasks/core.js';
import { sweep } from '../lambda/tasks/sweep.js';
import { DataDirInUseError, lockDataDir } from './data-dir-lock.js';
import { startEmulators, type Emulators } from './emulators.js';
import { startHttpServer, type LocalHttpServer } from './http-server.js';
import { startQueuePoller, type QueuePoller } from './queue-poller.js';

/** How to run the whole system on one machine. */
export interface LocalStackOptions {
  /** @default 127.0.0.1 */
  host?: string;
  /** 0 picks a free port. @default 3000 */
  port?: number;
  /** Where DynamoDB keeps its data; undefined = in memory. */
  dataDir?: string;
  /** Settings by environment variable name (config, MCP_AUTH_TOKENS). @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** @default 10 000 */
  sweepIntervalMs?: number;
  /** Serve MCP over HTTP; off for stdio mode. @default true */
  http?: boolean;
  logger?: Log;
  /** The operations tasks may run. @default every registered operation */
  operations?: readonly Operation[];
}

/** A running local stack. */
export interface LocalStack {
  /** The MCP endpoint, e.g. http://127.0.0.1:3000/mcp (undefined without HTTP). */
  url?: string;
  dataDir?: string;
  config: Config;
  core: Core;
  emulators: Emulators;
  logger: Log;
  /** Stops taking work, gives running tasks `graceMs` to finish, closes everything. */
  stop(graceMs?: number): Promise<void>;
}

/** A start-up problem the user can fix, reported as one line. */
export class StartupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/**
 * Starts the embedded DynamoDB and SQS, then the same api, worker and sweeper handlers that run in
 * AWS: the api behind a local HTTP server, the worker behind a queue poller, the sweeper on a timer.
 * @throws StartupError naming a bad setting, an unusable or taken data directory, or a taken port.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const env = options.env ?? process.env;
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir) ensureWritable(dataDir);
  const authTokens = parseOrFail(() => parseAuthTokens(env.MCP_AUTH_TOKENS));
  const unlock = dataDir ? lockOrFail(dataDir) : () => {};
  const emulators = await startEmulators({ dataDir: dataDir && join(dataDir, 'dynamodb') }).catch((error: unknown) => {
    unlock();
    throw new StartupError(`cannot start the embedded DynamoDB in ${dataDir ?? 'memory'}: ${(error as Error).message}`, { cause: error });
  });
  // Stopped in reverse: the lock goes last, once DynamoDB has closed its files.
  const stops: Array<() => Promise<unknown>> = [async () => unlock(), () => emulators.stop()];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  };
  try {
    const config = parseOrFail(() => loadConfig({ ...env, TASK_TABLE: emulators.tableName, TASK_QUEUE_URL: emulators.queueUrl }));
    // http_request must never reach the emulators (or, below, this server), whatever HTTP_ALLOW_HOSTS says.
    config.http.stackPorts = Object.values(emulators.endpoints).map((endpoint) => Number(new URL(endpoint).port));
    const logger = options.logger ?? createLogger(config);
    const core = createCore(config, emulators.clients, { logger, operations: options.operations });

    // The embedded queue lives in memory: after a restart, every live task is an orphan to rescue now.
    const recovered = await sweep(core.deps, { orphaned: true });
    if (recovered.examined > 0) logger.info('recovered tasks from the previous run', { ...recovered });

    const poller: QueuePoller = startQueuePoller({
      sqs: emulators.clients.sqs,
      queueUrl: emulators.queueUrl,
      handler: createWorkerHandler(core.deps),
      maxConcurrency: config.execution.maxConcurrency,
      logger,
    });
    stops.push(() => poller.stop(0));
    const sweeper = createSweeperHandler(core.deps);
    let sweeping: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      sweeping = sweeping.then(() => sweeper()).catch((error: unknown) => logger.error('sweep failed', { error: String(error) }));
    }, options.sweepIntervalMs ?? 10_000);
    stops.push(async () => clearInterval(timer));

    let http: LocalHttpServer | undefined;
    let url: string | undefined;
    if (options.http ?? true) {
      const host = options.host ?? '127.0.0.1';
      const handler = createApiHandler({
        config,
        service: core.service,
        logger,
        authTokens,
        loopbackPrincipal: true,
        allowedHosts: allowedHostsFor(host),
      });
      http = await startHttpServer(handler, { host, port: options.port ?? 3000, maxBodyBytes: config.api.maxBodyBytes }).catch(
        (error: NodeJS.ErrnoException) => {
          throw new StartupError(
            error.code === 'EADDRINUSE'
              ? `port ${options.port} on ${host} is already in use; stop the other process or set PORT (PORT=0 picks a free one)`
              : `cannot listen on ${host}:${options.port}: ${error.message}`,
            { cause: error },
          );
        },
      );
      url = `http://${host.includes(':') ? `[${host}]` : host}:${http.port}/mcp`;
      config.http.stackPorts = [...config.http.stackPorts, http.port];
    }

    let stopped: Promise<void> | undefined;
    return {
      url,
      dataDir,
      config,
      core,
      emulators,
      logger,
      stop(graceMs = 10_000) {
        stopped ??= (async () => {
          await http?.close();
          clearInterval(timer);
          // Running tasks get the grace period; whatever is left is rescued by the next start's recovery.
          const unfinished = await poller.stop(graceMs);
          if (unfinished > 0) logger.warn('stopping with tasks still running; they are rescued on the next start', { unfinished });
          await sweeping;
          await stopAll();
        })();
        return stopped;
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Host headers a local server accepts: its own names only (DNS-rebinding defence). */
function allowedHostsFor(host: string): string[] | undefined {
  // Bound to every interface, the server cannot know its public names; callers then need a token.
  if (host === '0.0.0.0' || host === '::') return undefined;
  return [...new Set([...LOOPBACK_HOSTS, host.includes(':') ? `[${host}]` : host])];
}

function ensureWritable(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new StartupError(`data directory ${dir} is not writable: ${(error as Error).message}`, { cause: error });
  }
}

/** Claims the data directory for this process, or names the process that holds it. */
function lockOrFail(dir: string): () => void {
  try {
    return lockDataDir(dir);
  } catch (error) {
    const message = error instanceof DataDirInUseError ? error.message : `cannot lock data directory ${dir}: ${(error as Error).message}`;
    throw new StartupError(message, { cause: error });
  }
}

function parseOrFail<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new StartupError((error as Error).message, { cause: error });
  }
}
