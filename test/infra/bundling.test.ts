import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTINS_VIA_REQUIRE, ESM_REQUIRE_BANNER, HANDLER_BUNDLING, type HandlerFunction } from '../../lib/handler-function.js';
import type { McpAsyncTasksStack } from '../../lib/mcp-async-tasks-stack.js';
import { buildStack, JWT_CONTEXT, logicalId } from './stack-fixture.js';

const run = promisify(execFile);

/** Minified bundle budgets (index.mjs, the AWS SDK clients bundled in), in KiB: 1 MiB each. */
const BUDGET_KIB = { api: 1024, worker: 1024, sweeper: 1024, authorizer: 1024 } as const;

/** An import or require of a package the bundle should have carried itself: the AWS SDK, Smithy (not the SDK's own error texts, which quote `[require("@aws-sdk/…")]`). */
const SDK_IMPORT = /(?<![[\w])(?:from\s*|import\s*\(\s*|require\s*\(\s*)["'](?:@aws-sdk|@smithy)\/[^"']*/g;
type Bundle = keyof typeof BUDGET_KIB;

/**
 * Imports a bundle in a fresh Node process with the function's environment, the way a cold start
 * does, then optionally calls the handler with an event that needs no AWS call.
 */
const IMPORT_SCRIPT = `
const started = performance.now();
const mod = await import(process.env.BUNDLE_URL);
const importMs = Math.round(performance.now() - started);
if (typeof mod.handler !== 'function') throw new Error('the bundle exports no handler function');
let probe = null;
if (process.env.PROBE === 'api') {
  const result = await mod.handler({
    version: '2.0', rawPath: '/mcp', rawQueryString: '', headers: { host: 'example.execute-api.us-east-1.amazonaws.com' },
    requestContext: { http: { method: 'GET', path: '/mcp', sourceIp: '203.0.113.7' } }, isBase64Encoded: false,
  });
  probe = result.statusCode;
}
if (process.env.PROBE === 'authorizer') probe = (await mod.handler({ headers: {} })).isAuthorized;
console.log(JSON.stringify({ importMs, probe }));
`;

describe('Bundling: the real handlers, as cdk synth builds them', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'mcp-async-tasks-synth-'));
  let stack: McpAsyncTasksStack;
  let template: { Resources: Record<string, { Properties: Record<string, unknown>; Metadata?: Record<string, string> }> };

  beforeAll(() => {
    // The real pipeline: NodejsFunction's local esbuild, then aws-cdk-lib's CloudFormation validation,
    // whose findings fail synth because cdk.json sets @aws-cdk/core:validateAgainstDefaultRules.
    const built = buildStack(
      { 'aws:cdk:enable-asset-metadata': true, '@aws-cdk/core:validationReportJson': true },
      { bundle: true, validate: true, outdir },
    );
    stack = built.stack;
    const assembly = built.app.synth();
    template = assembly.getStackByName(stack.stackName).template;
    // No node_modules beside the assets: a bundle that left the AWS SDK external fails to import.
  }, 60_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const handlers = (): Record<Bundle, HandlerFunction> => ({
    api: stack.api.handler,
    worker: stack.engine.worker,
    sweeper: stack.engine.sweeper,
    authorizer: stack.api.authorizerFunction!,
  });

  it('passes aws-cdk-lib CloudFormation validation with no findings', () => {
    // Synth would have thrown on a finding; the report it writes must also be empty.
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
  });

  // Each import is its own process: run them side by side.
  const bundles = Object.keys(BUDGET_KIB) as Bundle[];
  it("bundles the AWS SDK (pinned in package.json) instead of loading the runtime's copy, without a source map", () => {
    expect(HANDLER_BUNDLING.bundleAwsSDK).toBe(true);
    expect(HANDLER_BUNDLING.externalModules ?? []).toEqual([]);
    expect(HANDLER_BUNDLING.nodeModules ?? []).toEqual([]);
    expect(HANDLER_BUNDLING.sourceMap).toBe(false);
  });

  it.concurrent.for(bundles)('%s: ESM bundle with the AWS SDK inside, within budget, imports cleanly', async (name, { expect }) => {
    // Prepare
    const fn = handlers()[name];
    const resource = template.Resources[logicalId(fn.function)]!;
    const assetDir = join(outdir, resource.Metadata!['aws:asset:path']!);
    const bundle = join(assetDir, 'index.mjs');
    const variables = Object.fromEntries(
      Object.entries((resource.Properties.Environment as { Variables: Record<string, unknown> }).Variables).map(([key, value]) => [
        key,
        // References resolve at deploy time; any well-formed value will do for a cold start here.
        typeof value === 'string'
          ? value
          : key.endsWith('_URL')
            ? 'https://sqs.us-east-1.amazonaws.com/123456789012/work'
            : `resolved-${key.toLowerCase()}`,
      ]),
    );

    // Act
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', IMPORT_SCRIPT], {
      cwd: assetDir,
      env: {
        PATH: process.env.PATH,
        ...variables,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_LAMBDA_FUNCTION_NAME: name,
        BUNDLE_URL: pathToFileURL(bundle).href,
        PROBE: name,
      },
    });

    // Assess
    const sizeKiB = statSync(bundle).size / 1024;
    const { importMs, probe } = JSON.parse(stdout.trim().split('\n').at(-1)!);
    console.log(`${name}: ${sizeKiB.toFixed(1)} KiB minified (budget ${BUDGET_KIB[name]} KiB), cold import ${importMs} ms`);
    const code = readFileSync(bundle, 'utf8');
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    expect(code).not.toContain('sourceMappingURL');
    expect(existsSync(`${bundle}.map`)).toBe(false);
    // The SDK is inside: no import of @aws-sdk/* or @smithy/* is left for a node_modules to answer.
    expect(code.match(SDK_IMPORT) ?? []).toEqual([]);
    expect(code).toContain('DynamoDB_20120810');
    // Built-ins whose ESM namespace is costly come in as CommonJS exports, never as ESM imports.
    for (const builtin of BUILTINS_VIA_REQUIRE)
      expect(code.match(new RegExp(`from\\s*["'](?:node:)?${builtin}["']`, 'g')) ?? []).toEqual([]);
    // Minified: a handful of very long lines (licence comments keep a few line breaks).
    expect(code.length / code.split('\n').length).toBeGreaterThan(500);
    if (name === 'api') expect(probe).toBe(405);
    if (name === 'authorizer') expect(probe).toBe(false);
    expect(sizeKiB).toBeLessThanOrEqual(BUDGET_KIB[name]);
  });

  it('synthesizes the jwt variant (its own authorizer resource) through the same validation', () => {
    const { app } = buildStack(JWT_CONTEXT, { validate: true, outdir: mkdtempSync(join(outdir, 'jwt-')) });
    expect(() => app.synth()).not.toThrow();
  });
});
