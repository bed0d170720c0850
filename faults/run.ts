/**
 * `npm run faults [-- scenario…]`: drives the local stack through each fault scenario and checks
 * every accepted task — exactly one terminal state, a truthful code and result, no operation run
 * twice at once, nothing left behind. Exits non-zero unless nothing was lost, double-terminal or
 * mislabeled. FAULTS_SCALE (default 1) sizes the scenarios; FAULTS_SEED repeats a run.
 */
import { formatReport } from './check.js';
import { runSuite } from './suite.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const scale = Number(process.env.FAULTS_SCALE ?? 1);
const seed = Number(process.env.FAULTS_SEED ?? Date.now() % 1_000_000);
const only = process.argv.slice(2);

// Every wait in the suite is bounded; this is the backstop should something hang anyway.
setTimeout(() => {
  console.error('fault suite: still running after 10 minutes; giving up');
  process.exit(1);
}, 600_000).unref();

const t0 = Date.now();
console.log(`fault suite: scale ${scale}, seed ${seed}${only.length ? `, only ${only.join(' ')}` : ''}`);
const result = await runSuite({ scale, seed, only, onReport: (report) => console.log(`${formatReport(report)}\n`) });
console.log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(result.summary);
process.exit(result.ok ? 0 : 1);
