/**
 * `mcp-tasks`: start, follow, cancel and list background tasks on an mcp-async-tasks server from a
 * shell. All behaviour lives in client/cli.ts; this file wires it to the process.
 */
import { runCli } from '../client/cli.js';

const interrupt = new AbortController();
// First Ctrl-C stops waiting (the task keeps running and the CLI says how to resume); a second one quits at once.
process.on('SIGINT', () => {
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort(new Error('interrupted'));
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: interrupt.signal,
});
