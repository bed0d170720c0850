import { Validations } from 'aws-cdk-lib';
import type { CfnRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { JWT_CONTEXT, synthStack } from './stack-fixture.js';

/** Every acknowledgement in the tree, as `path: rule → reason`. */
function acknowledgements(root: IConstruct): { path: string; rule: string; reason: string }[] {
  return root.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([rule, reason]) => ({ path: c.node.path, rule, reason }))),
    );
}

describe('cdk-nag: AwsSolutionsChecks', () => {
  it.each([
    ['apikey', {}],
    ['jwt', JWT_CONTEXT],
  ])('auth=%s: no findings, and nothing acknowledged', (_mode, context) => {
    // Prepare
    const { app, stack } = synthStack(context);

    // Act
    const report = new AwsSolutionsChecks(app).validateScope(stack);

    // Assess
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
    expect(acknowledgements(stack)).toEqual([]);
  });

  it('auth=none: only the open routes are acknowledged (APIG4), with the reason', () => {
    // Prepare
    const { app, stack } = synthStack({ stage: 'scratch', auth: 'none' });

    // Act
    const report = new AwsSolutionsChecks(app).validateScope(stack);

    // Assess
    expect(report.violations).toEqual([]);
    expect(acknowledgements(stack)).toEqual([
      {
        path: 'McpAsyncTasks-scratch/Api/HttpApi',
        rule: 'Annotation::AwsSolutions-APIG4',
        reason: expect.stringMatching(/^auth=none was chosen explicitly for a throwaway stage \(synth refuses it on prod stages\)/),
      },
    ]);
  });

  it('would report a route left without authorization (the check is live)', () => {
    // Prepare
    const { app, stack } = synthStack(JWT_CONTEXT);
    const route = stack.api.httpApi.node.findChild('POST--mcp').node.defaultChild as CfnRoute;
    route.authorizationType = 'NONE';

    // Act
    const report = new AwsSolutionsChecks(app).validateScope(stack);

    // Assess
    expect(report.violations).toEqual([
      expect.objectContaining({
        ruleName: 'AwsSolutions-APIG4',
        violatingResources: [expect.objectContaining({ constructPath: route.node.path })],
      }),
    ]);
  });
});
