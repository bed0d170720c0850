#!/usr/bin/env node
/**
 * `npm start`: the whole system on one machine — embedded DynamoDB and SQS, the api handler on
 * http://127.0.0.1:3000/mcp, the worker on a queue poller and the sweeper on a timer.
 *
 * The start script is `exec node --import tsx bin/local.ts`: one node process, which `exec` makes
 * npm's own child. npm forwards SIGINT and SIGTERM to its child only; were that child `sh` (or tsx's
 * CLI, which runs the script in yet another process), the signal would end it and orphan the server.
 */
import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { LOCAL_PRINCIPAL } from '../lambda/http/principal.js';
import { createMcpServer } from '../lambda/mcp/server.js';
import { SERVICE_NAME } from '../lambda/shared/telemetry.js';
import { PrettyLogger } from '../local/pretty-logger.js';
import { startLocalStack, StartupError, type LocalStack } from '../local/stack.js';

const USAGE = `Usage: npm start -- [options]

  --port N          port to listen on (env PORT; 0 picks a free one)   default 3000
  --host ADDR       address to bind (env HOST)                         default 127.0.0.1
  --data-dir DIR    where task records are kept (env DATA_DIR)         default .data
  --in-memory       keep no data on disk
  --stdio           serve MCP over stdin/stdout instead of HTTP (for desktop hosts)
  -h, --help        this text

Settings such as MAX_CONCURRENCY or MCP_AUTH_TOKENS="tokenA=alice,tokenB=bob" come from the environment (see README).`;

/** How long running tasks get to finish when the server stops. */
const GRACE_MS = 10_000;
/** Signals closer together than this are one keypress (see handleShutdown). */
const SAME_PRESS_MS = 500;

// The SDK's Node 20 end-of-support notice is in the README; it need not open every start.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'in-memory': { type: 'boolean', default: false },
      stdio: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const portText = values.port ?? process.env.PORT ?? '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new StartupError(`port must be an integer from 0 to 65535, not ${JSON.stringify(portText)}`);
  const dataDir = values['in-memory'] ? undefined : (values['data-dir'] ?? process.env.DATA_DIR ?? '.data');
  const stdio = values.stdio;
  // Over stdio, stdout belongs to the protocol: logs go to stderr, always one line each.
  const logger = process.stderr.isTTY || stdio ? new PrettyLogger({ serviceName: SERVICE_NAME, logLevel: logLevel() }) : undefined;

  const stack = await startLocalStack({ host: values.host ?? process.env.HOST, port, dataDir, http: !stdio, logger });
  const shutdown = handleShutdown(stack);
  if (stdio) {
    const server = createMcpServer({ service: stack.core.service, principal: LOCAL_PRINCIPAL, config: stack.config, logger: stack.logger });
    await server.connect(new StdioServerTransport());
    // A host is done with a stdio server when it closes our input; living on would hold the data directory.
    process.stdin.once('end', () => shutdown('end of input')).once('close', () => shutdown('end of input'));
    stack.logger.info('serving MCP over stdio', { data: stack.dataDir ?? 'in memory' });
    return;
  }
  printBanner(stack);
}

function logLevel() {
  const level = process.env.LOG_LEVEL?.toUpperCase();
  return level === 'DEBUG' || level === 'WARN' || level === 'ERROR' || level === 'SILENT' ? level : 'INFO';
}

function printBanner(stack: LocalStack): void {
  const url = stack.url!;
  console.log(`
mcp-async-tasks is running

  MCP endpoint   ${url}   (Streamable HTTP, POST)
  Data           ${stack.dataDir ?? 'in memory (nothing kept)'}
  Auth           ${process.env.MCP_AUTH_TOKENS ? 'bearer tokens from MCP_AUTH_TOKENS' : 'none needed from this machine (loopback callers act as "local")'}

Connect a client:
  MCP Inspector  npx @modelcontextprotocol/inspector --cli ${url} --method tools/list
  Claude Code    claude mcp add --transport http async-tasks ${url}
  CLI            npx mcp-tasks start delay --param seconds=3 --wait --url ${url}
  Any client     Streamable HTTP at ${url}

Stop with Ctrl-C (twice to quit at once).
`);
}

/**
 * Stops on SIGINT, SIGTERM or a call to the returned `shutdown`: running tasks get GRACE_MS, then
 * the process exits 0. A second signal while stopping quits at once.
 */
function handleShutdown(stack: LocalStack): (reason: string) => void {
  let stopping = false;
  const shutdown = (reason: string, hint = '') => {
    if (stopping) return;
    stopping = true;
    stack.logger.info(`${reason}: stopping; running tasks get ${GRACE_MS / 1000} s to finish${hint}`);
    // Should closing hang past the grace period, exit anyway rather than hold the port and data.
    setTimeout(() => {
      console.error('mcp-async-tasks: still stopping after the grace period; exiting now');
      process.exit(1);
    }, GRACE_MS + 5_000).unref();
    stack.stop(GRACE_MS).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`mcp-async-tasks: error while stopping: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (!stopping) {
      firstSignalAt = Date.now();
      shutdown(signal, ' (again to quit at once)');
      return;
    }
    // Ctrl-C under npm arrives twice: from the terminal, and forwarded by npm a moment later. One press.
    if (Date.now() - firstSignalAt < SAME_PRESS_MS) return;
    stack.logger.warn('second signal: exiting now');
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return shutdown;
}

main().catch((error: unknown) => {
  // One line naming the problem (bad option, bad setting, taken port, unwritable directory); no stack.
  console.error(`mcp-async-tasks: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
