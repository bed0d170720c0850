import { readFileSync } from 'node:fs';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { readDeployConfig } from '../../lib/deploy-config.js';
import type { HandlerFunction } from '../../lib/handler-function.js';
import { McpAsyncTasksStack, stackNameFor } from '../../lib/mcp-async-tasks-stack.js';

/** The context cdk.json gives `cdk synth` (feature flags and defaults), so tests see what synth sees. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'),
).context;

/** Context for a JWT deployment. */
export const JWT_CONTEXT = { auth: 'jwt', jwtIssuer: 'https://login.example.com/', jwtAudience: 'mcp-async-tasks' };

/** How to synthesize. */
export interface SynthOptions {
  /** Bundle the handlers with esbuild. @default false (skipped: ~0.2 s instead of seconds) */
  bundle?: boolean;
  /** Run aws-cdk-lib's CloudFormation validation. @default false (its engine takes ~7 s to start) */
  validate?: boolean;
  outdir?: string;
}

/** What synthesizing the stack gives a test. */
export interface SynthesizedStack {
  app: App;
  stack: McpAsyncTasksStack;
  template: Template;
}

/** Builds the stack the way bin/app.ts does, from cdk.json's context plus `context` (as `-c` passes it). */
export function buildStack(context: Record<string, unknown> = {}, options: SynthOptions = {}): { app: App; stack: McpAsyncTasksStack } {
  const app = new App({
    ...(options.outdir && { outdir: options.outdir }),
    builtinCloudFormationValidation: options.validate ?? false,
    context: {
      ...CDK_JSON_CONTEXT,
      ...(!options.bundle && { 'aws:cdk:bundling-stacks': [] }),
      ...context,
    },
  });
  const deployConfig = readDeployConfig((key) => app.node.tryGetContext(key));
  const stack = new McpAsyncTasksStack(app, stackNameFor(deployConfig.settings.stage), { deployConfig });
  return { app, stack };
}

/** buildStack, then the stack's template. */
export function synthStack(context: Record<string, unknown> = {}, options: SynthOptions = {}): SynthesizedStack {
  const { app, stack } = buildStack(context, options);
  return { app, stack, template: Template.fromStack(stack) };
}

/** The CloudFormation logical ID of a construct's L1 resource. */
export function logicalId(construct: IConstruct): string {
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) throw new Error(`${construct.node.path} has no CloudFormation resource`);
  return Stack.of(construct).getLogicalId(resource);
}

/** One IAM statement, normalized: actions and resources always arrays. */
export interface Statement {
  Effect: string;
  Action: string[];
  Resource: unknown[];
}

/** Every statement in the identity policies attached to a handler's role. */
export function statementsOf(template: Template, fn: HandlerFunction): Statement[] {
  const roleId = logicalId(fn.role);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as {
    Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: Record<string, unknown>[] } };
  }[];
  return policies
    .filter((p) => p.Properties.Roles.some((r) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement)
    .map((s) => ({
      Effect: s.Effect as string,
      Action: ([] as string[]).concat(s.Action as string | string[]),
      Resource: ([] as unknown[]).concat(s.Resource),
    }));
}

/** The sorted, de-duplicated actions a handler's role is allowed. */
export function actionsOf(template: Template, fn: HandlerFunction): string[] {
  return [
    ...new Set(
      statementsOf(template, fn)
        .filter((s) => s.Effect === 'Allow')
        .flatMap((s) => s.Action),
    ),
  ].sort();
}

/** The resources a handler's role may apply `action` to. */
export function resourcesFor(template: Template, fn: HandlerFunction, action: string): unknown[] {
  return statementsOf(template, fn)
    .filter((s) => s.Effect === 'Allow' && s.Action.includes(action))
    .flatMap((s) => s.Resource);
}
