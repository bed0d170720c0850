/**
 * Cold start of each Lambda bundle, before and after bundling the AWS SDK and deferring init work.
 *
 * Builds api, worker, sweeper and authorizer with esbuild the way NodejsFunction does — "before" with the
 * options main used until bundling the SDK (SDK external, loaded from a copy beside the bundle the way
 * the runtime provides it), "after" with HANDLER_BUNDLING as it is now — then, per sample, spawns a
 * fresh Node process (Node 24 when `npx -p node@24` can provide it) that imports the bundle and
 * invokes its handler once with a realistic event against the embedded DynamoDB and SQS emulators.
 *
 * Run: `flock /tmp/cpu.lock npm run bench:coldstart` (COLDSTART_SAMPLES=15 by default; COLDSTART_CPU_PROF=<dir>
 * writes a V8 CPU profile per sample).
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build, type BuildOptions } from 'esbuild';
import { API_KEY_TABLE, API_KEY_TABLE_ENV } from '../lambda/auth/api-key.js';
import { loadConfig } from '../lambda/shared/config.js';
import { ESM_REQUIRE_BANNER, HANDLER_BUNDLING, type HandlerName, handlerEntry, PROJECT_ROOT } from '../lib/handler-function.js';
import { runtimeEnvironment } from '../lib/runtime-environment.js';
import { toApiGatewayEvent } from '../local/api-gateway-event.js';
import { startEmulators } from '../local/emulators.js';
import { percentile } from './support.js';

const run = promisify(execFile);
const SAMPLES = Number(process.env.COLDSTART_SAMPLES ?? 15);
const HANDLERS: readonly HandlerName[] = ['api', 'worker', 'sweeper', 'authorizer'];

/** HANDLER_BUNDLING as committed before the SDK was bundled: the baseline. */
const BEFORE_BUNDLING: BundlingOptions = {
  format: 'esm' as BundlingOptions['format'],
  target: 'node24',
  minify: true,
  sourceMap: true,
  mainFields: ['module', 'main'],
  externalModules: ['@aws-sdk/*'],
  banner: ESM_REQUIRE_BANNER,
  forceDockerBundling: false,
};

/** The esbuild options NodejsFunction derives from BundlingOptions (aws-cdk-lib's buildEsbuildArgs). */
function esbuildOptions(options: BundlingOptions, entry: string, outfile: string): BuildOptions {
  const external = options.externalModules ?? (options.bundleAwsSDK ? [] : ['@aws-sdk/*']);
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: options.target ?? 'node24',
    format: options.format === 'esm' ? 'esm' : 'cjs',
    outfile,
    minify: options.minify ?? false,
    sourcemap: options.sourceMap ?? false,
    external: [...external, ...(options.nodeModules ?? [])],
    mainFields: options.mainFields,
    ...(options.banner && { banner: { js: options.banner } }),
    alias: Object.fromEntries(
      Object.entries(options.esbuildArgs ?? {})
        .filter(([flag]) => flag.startsWith('--alias:'))
        .map(([flag, target]) => [flag.slice('--alias:'.length), String(target)]),
    ),
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'error',
  };
}

/** Whatever a sample's process runs: import, then one invocation, each timed. */
const SAMPLE_SCRIPT = `
const t0 = performance.now();
const mod = await import(process.env.BUNDLE_URL);
const t1 = performance.now();
const context = { getRemainingTimeInMillis: () => 30000, functionName: 'bench', awsRequestId: 'bench', callbackWaitsForEmptyEventLoop: false };
const result = await mod.handler(JSON.parse(process.env.EVENT), context);
const t2 = performance.now();
const outcome = result && typeof result === 'object'
  ? ('statusCode' in result ? result.statusCode + (String(result.body).includes('task_ref') ? ' task_ref' : '') : 'isAuthorized' in result ? 'isAuthorized=' + result.isAuthorized : 'batchItemFailures' in result ? 'failures=' + result.batchItemFailures.length : 'ok')
  : String(result);
process.stdout.write(JSON.stringify({ importMs: t1 - t0, invokeMs: t2 - t1, outcome }) + '\\n');
process.exit(0);
`;

/** The Node 24 binary (the Lambda runtime's major version) when npx can provide one, else this Node. */
function nodeBinary(): string {
  try {
    const path = execFileSync('npx', ['-y', '-p', 'node@24', 'which', 'node'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (path) return path;
  } catch {
    // fall back below
  }
  return process.execPath;
}

/** How each variant is built, and the NODE_OPTIONS its functions run with (HandlerFunction's environment). */
const VARIANTS = {
  before: { bundling: BEFORE_BUNDLING, nodeOptions: '--enable-source-maps' },
  // COLDSTART_AFTER_NODE_OPTIONS: try V8/Node flags on the new bundles.
  after: { bundling: HANDLER_BUNDLING, nodeOptions: process.env.COLDSTART_AFTER_NODE_OPTIONS ?? '' },
} as const;
type Variant = keyof typeof VARIANTS;

const dir = mkdtempSync(join(tmpdir(), 'coldstart-'));
const emulators = await startEmulators();
try {
  const node = nodeBinary();
  const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();

  // Build: one directory per variant and handler, like one Lambda asset each.
  const bundles = {} as Record<Variant, Record<HandlerName, string>>;
  const sizes = {} as Record<Variant, Record<HandlerName, number>>;
  for (const variant of Object.keys(VARIANTS) as Variant[]) {
    bundles[variant] = {} as Record<HandlerName, string>;
    sizes[variant] = {} as Record<HandlerName, number>;
    for (const name of HANDLERS) {
      const assetDir = join(dir, variant, name);
      mkdirSync(assetDir, { recursive: true });
      const outfile = join(assetDir, 'index.mjs');
      await build(esbuildOptions(VARIANTS[variant].bundling, handlerEntry(name), outfile));
      // The runtime's own SDK copy, for bundles that leave it external.
      mkdirSync(join(assetDir, 'node_modules'));
      symlinkSync(fileURLToPath(new URL('../node_modules/@aws-sdk', import.meta.url)), join(assetDir, 'node_modules', '@aws-sdk'), 'dir');
      bundles[variant][name] = outfile;
      sizes[variant][name] = statSync(outfile).size;
    }
  }

  // The API key table the authorizer reads (the stack creates it beside the task table).
  const apiKeyTable = 'mcp-async-tasks-api-keys';
  await emulators.clients.ddb.send(
    new CreateTableCommand({
      TableName: apiKeyTable,
      AttributeDefinitions: [{ AttributeName: API_KEY_TABLE.partitionKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: API_KEY_TABLE.partitionKey, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );

  // The functions' environment, as the stack sets it, pointed at the emulators through the SDK's own
  // service-specific endpoint variables.
  const config = loadConfig({ TASK_TABLE: emulators.tableName, TASK_QUEUE_URL: emulators.queueUrl });
  const environment: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...runtimeEnvironment(config, { tableName: emulators.tableName, queueUrl: emulators.queueUrl }),
    [API_KEY_TABLE_ENV]: apiKeyTable,
    LOG_LEVEL: 'WARN',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    AWS_ENDPOINT_URL_DYNAMODB: emulators.endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: emulators.endpoints.sqs,
    POWERTOOLS_METRICS_DISABLED: 'false',
  };

  const initiate = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'initiate_background_task', arguments: { operation_type: 'delay', parameters: { seconds: 1 } } },
  });
  const events: Record<HandlerName, unknown> = {
    api: toApiGatewayEvent({
      method: 'POST',
      url: '/mcp',
      headers: {
        host: 'abc123.execute-api.us-east-1.amazonaws.com',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-11-25',
      },
      body: Buffer.from(initiate),
      sourceIp: '203.0.113.7',
      authorizer: { lambda: { principal: 'bench' } },
    }),
    worker: {
      Records: [
        {
          messageId: 'm-1',
          receiptHandle: 'r-1',
          // A well-formed id with no task behind it: nothing to claim.
          body: JSON.stringify({ taskId: 'AAAAAAAAAAAAAAAAAAAAAA' }),
          attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()) },
          messageAttributes: {},
          md5OfBody: '',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:work',
          awsRegion: 'us-east-1',
        },
      ],
    },
    sweeper: {
      version: '0',
      id: 'e-1',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      time: new Date().toISOString(),
      detail: {},
    },
    authorizer: {
      version: '2.0',
      type: 'REQUEST',
      routeArn: 'arn:aws:execute-api:us-east-1:123456789012:abc123/$default/POST/mcp',
      identitySource: ['Bearer mcpat_notakey'],
      routeKey: 'POST /mcp',
      rawPath: '/mcp',
      rawQueryString: '',
      headers: { authorization: 'Bearer mcpat_notakeyatallnotakeyatall' },
      requestContext: { http: { method: 'POST', path: '/mcp', sourceIp: '203.0.113.7' } },
    },
  };

  // Interleaved: every round runs each handler and variant once, so drift hits all alike.
  const samples = {} as Record<Variant, Record<HandlerName, { importMs: number[]; totalMs: number[]; outcome: string }>>;
  for (const variant of Object.keys(VARIANTS) as Variant[]) {
    samples[variant] = {} as Record<HandlerName, { importMs: number[]; totalMs: number[]; outcome: string }>;
    for (const name of HANDLERS) samples[variant][name] = { importMs: [], totalMs: [], outcome: '' };
  }
  for (let round = 0; round < SAMPLES; round++) {
    for (const name of HANDLERS) {
      for (const variant of Object.keys(VARIANTS) as Variant[]) {
        const bundle = bundles[variant][name];
        // COLDSTART_CPU_PROF=<dir>: a V8 CPU profile of every sample, to see where a cold start goes.
        const profile = process.env.COLDSTART_CPU_PROF
          ? ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', join(process.env.COLDSTART_CPU_PROF, variant, name)]
          : [];
        const { stdout } = await run(node, [...profile, '--input-type=module', '-e', SAMPLE_SCRIPT], {
          cwd: join(bundle, '..'),
          env: {
            ...environment,
            NODE_OPTIONS: VARIANTS[variant].nodeOptions,
            BUNDLE_URL: pathToFileURL(bundle).href,
            EVENT: JSON.stringify(events[name]),
          },
        });
        const line = JSON.parse(stdout.trim().split('\n').at(-1)!) as { importMs: number; invokeMs: number; outcome: string };
        const entry = samples[variant][name];
        entry.importMs.push(line.importMs);
        entry.totalMs.push(line.importMs + line.invokeMs);
        entry.outcome = line.outcome;
      }
    }
  }

  const ms = (value: number) => value.toFixed(1).padStart(6);
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`.padStart(8);
  console.log(`\ncold start: ${SAMPLES} fresh processes per handler and variant, ${nodeVersion} (${node}), interleaved`);
  console.log('before = SDK external (runtime copy), source map + --enable-source-maps, as main built it; after = HANDLER_BUNDLING now');
  console.log('import = await import(bundle); import+call = that plus the first handler invocation against the emulators\n');
  console.log('handler     variant   size      import p50  p90   import+call p50  p90   first call answered');
  const results = {} as Record<HandlerName, Record<Variant, { import50: number; import90: number; total50: number; total90: number }>>;
  for (const name of HANDLERS) {
    results[name] = {} as Record<Variant, { import50: number; import90: number; total50: number; total90: number }>;
    for (const variant of Object.keys(VARIANTS) as Variant[]) {
      const s = samples[variant][name];
      const r = {
        import50: percentile(s.importMs, 50),
        import90: percentile(s.importMs, 90),
        total50: percentile(s.totalMs, 50),
        total90: percentile(s.totalMs, 90),
      };
      results[name][variant] = r;
      console.log(
        `${name.padEnd(11)} ${variant.padEnd(8)} ${kib(sizes[variant][name])}   ${ms(r.import50)} ${ms(r.import90)}       ${ms(r.total50)} ${ms(r.total90)}   ${s.outcome}`,
      );
    }
    const b = results[name].before;
    const a = results[name].after;
    console.log(
      `${name.padEnd(11)} after/before        ${(a.import50 / b.import50).toFixed(2)}×  ${(a.import90 / b.import90).toFixed(2)}×         ${(a.total50 / b.total50).toFixed(2)}×  ${(a.total90 / b.total90).toFixed(2)}×`,
    );
  }

  const api = results.api;
  const importTarget = api.after.import50 <= 80;
  const totalRatio = api.after.total50 / api.before.total50;
  console.log(`\ntargets (api, p50, this run):`);
  console.log(`  import ≤ 80 ms:                        ${api.after.import50.toFixed(1)} ms  ${importTarget ? 'MET' : 'NOT MET'}`);
  console.log(
    `  import+call ≤ 0.5× before:             ${api.after.total50.toFixed(1)} / ${api.before.total50.toFixed(1)} ms = ${totalRatio.toFixed(2)}×  ${totalRatio <= 0.5 ? 'MET' : 'NOT MET'}`,
  );
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results));
} finally {
  await emulators.stop();
  rmSync(dir, { recursive: true, force: true });
}
