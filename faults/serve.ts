/**
 * The local stack in a process of its own, for the kill -9 scenario: on the data directory given,
 * with the probe operation, bearer tokens for the fault suite's callers, and every probe run and
 * terminal write appended to an events file as it happens (a synchronous append survives the kill).
 * Prints one JSON line once serving: the MCP endpoint and the emulators' addresses.
 *
 *   node --import tsx faults/serve.ts <dataDir> <eventsFile> <life>
 */
import { appendFileSync } from 'node:fs';
import { startLocalStack } from '../local/stack.js';
import { FAULT_ENV, OWNERS, SWEEP_INTERVAL_MS, tokenOf } from './harness.js';
import { capturingLogger, watchTerminalWrites, type Transition } from './observe.js';
import { probeOperation, type RunEvent } from './probe.js';

/** One line of the events file. */
export type ServeEvent = ({ kind: 'run' } & RunEvent) | ({ kind: 'transition' } & Transition);

const [dataDir, eventsFile, lifeText] = process.argv.slice(2);
if (!dataDir || !eventsFile || !lifeText) throw new Error('usage: serve.ts <dataDir> <eventsFile> <life>');
const life = Number(lifeText);
const append = (event: ServeEvent) => appendFileSync(eventsFile, `${JSON.stringify({ ...event, life })}\n`);
const transition = (t: Transition) => append({ kind: 'transition', ...t });
watchTerminalWrites(transition);
const stack = await startLocalStack({
  port: 0,
  dataDir,
  env: { ...FAULT_ENV, MCP_AUTH_TOKENS: OWNERS.map((o) => `${tokenOf(o)}=${o}`).join(',') },
  sweepIntervalMs: SWEEP_INTERVAL_MS,
  logger: capturingLogger(transition),
  operations: [probeOperation((event) => append({ kind: 'run', ...event }))],
});
const { endpoints, tableName, queueUrl } = stack.emulators;
console.log(JSON.stringify({ url: stack.url, endpoints, tableName, queueUrl }));
process.on('SIGTERM', () => void stack.stop(0).then(() => process.exit(0)));
