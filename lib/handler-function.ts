import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The repository root: the bundling project root, where package-lock.json lives. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The Lambda entry points, one file each under lambda/handlers/. */
export type HandlerName = 'api' | 'worker' | 'sweeper' | 'authorizer';

/** Absolute path of a handler's entry file. */
export function handlerEntry(name: HandlerName): string {
  return fileURLToPath(new URL(`../lambda/handlers/${name}.ts`, import.meta.url));
}

/** Lets CommonJS dependencies bundled into ESM output still `require` Node built-ins. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __bannerCreateRequire } from 'module'; const require = __bannerCreateRequire(import.meta.url);";

/**
 * Node built-ins whose ESM namespace costs far more than the module: building it reads every export,
 * which on Node 24 loads undici for `http` (~55 ms) and runs `process`'s lazy getters (~18 ms). The
 * bundle takes them from lambda/shared/builtins/ instead, as plain CommonJS exports read on use.
 */
export const BUILTINS_VIA_REQUIRE = ['http', 'fs', 'fs/promises', 'util', 'process'] as const;

/** esbuild `--alias` flags for BUILTINS_VIA_REQUIRE, both spellings (paths relative to PROJECT_ROOT, esbuild's cwd). */
function builtinAliases(): Record<string, string> {
  const flags: Record<string, string> = {};
  for (const name of BUILTINS_VIA_REQUIRE) {
    const shim = `./lambda/shared/builtins/${name.replace('/', '-')}.cjs`;
    flags[`--alias:${name}`] = shim;
    flags[`--alias:node:${name}`] = shim;
  }
  return flags;
}

/**
 * How every handler is bundled (esbuild, run locally; never Docker). The AWS SDK v3 clients are
 * bundled, minified and tree-shaken with the rest, at the exact versions package.json pins, instead of
 * loaded file by file from the runtime's copy. No source map: with --enable-source-maps, parsing a
 * map of several MB cost about 80 ms of every cold start (bench:coldstart); stack traces name the
 * minified bundle.
 */
export const HANDLER_BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node24',
  minify: true,
  sourceMap: false,
  mainFields: ['module', 'main'],
  bundleAwsSDK: true,
  banner: ESM_REQUIRE_BANNER,
  esbuildArgs: builtinAliases(),
  forceDockerBundling: false,
};

/**
 * Without a local esbuild, NodejsFunction silently falls back to bundling in Docker.
 * @throws Error when esbuild is not installed in the project.
 */
function assertLocalEsbuild(): void {
  try {
    createRequire(import.meta.url).resolve('esbuild');
  } catch {
    throw new Error('esbuild is not installed (run npm ci): the handlers are bundled with the local esbuild, never in Docker');
  }
}

/** Properties of a HandlerFunction. */
export interface HandlerFunctionProps {
  /** Which file under lambda/handlers/ to bundle. */
  readonly handler: HandlerName;
  /** Environment variables (the validated runtime configuration). */
  readonly environment: Readonly<Record<string, string>>;
  /** One sentence on what the function does. */
  readonly description: string;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default - no reserved concurrency */
  readonly reservedConcurrentExecutions?: number;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** What happens to the log group when it leaves the stack. @default RemovalPolicy.RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * A bundled Node.js 24 arm64 function with its own log group and its own role, which starts with
 * nothing but writing to that log group (no AWS managed policy); callers add intention grants.
 */
export class HandlerFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    if (Stack.of(this).bundlingRequired) assertLocalEsbuild();
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${props.handler} function`,
    });
    this.logGroup.grantWrite(this.role);
    this.function = new NodejsFunction(this, 'Function', {
      entry: handlerEntry(props.handler),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      environment: { ...props.environment },
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: fileURLToPath(new URL('../package-lock.json', import.meta.url)),
      bundling: HANDLER_BUNDLING,
    });
  }
}
