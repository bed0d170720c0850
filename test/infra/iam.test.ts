import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, logicalId, resourcesFor, synthStack, type SynthesizedStack } from './stack-fixture.js';

const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const indexArn = (tableId: string, index: string) => ({ 'Fn::Join': ['', [arnOf(tableId), `/index/${index}`]] });

describe('IAM: least privilege per function', () => {
  let synth: SynthesizedStack;
  let table: string;
  let queue: string;
  beforeAll(() => {
    synth = synthStack();
    table = logicalId(synth.stack.engine.table.table);
    queue = logicalId(synth.stack.engine.queue.queue);
  });

  it('api: submit, read, cancel, list and count its own tasks, and dispatch; it cannot receive or delete', () => {
    const api = synth.stack.api.handler;
    expect(actionsOf(synth.template, api)).toEqual(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', ...LOGS, 'sqs:SendMessage'].sort(),
    );
    expect(resourcesFor(synth.template, api, 'dynamodb:PutItem')).toEqual([arnOf(table)]);
    expect(resourcesFor(synth.template, api, 'dynamodb:Query')).toEqual([indexArn(table, 'byOwner'), indexArn(table, 'liveByOwner')]);
    expect(resourcesFor(synth.template, api, 'sqs:SendMessage')).toEqual([arnOf(queue)]);
    expect(resourcesFor(synth.template, api, 'logs:PutLogEvents')).toEqual([arnOf(logicalId(api.logGroup))]);
  });

  it('worker: update the task it was handed, consume the queue and re-dispatch retries; no create or delete', () => {
    const worker = synth.stack.engine.worker;
    expect(actionsOf(synth.template, worker)).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        ...LOGS,
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
        'sqs:SendMessage',
      ].sort(),
    );
    expect(resourcesFor(synth.template, worker, 'dynamodb:UpdateItem')).toEqual([arnOf(table)]);
    expect(resourcesFor(synth.template, worker, 'sqs:ReceiveMessage')).toEqual([arnOf(queue)]);
  });

  it('sweeper: query the active index, finish or reset tasks, re-dispatch; no put, no delete, no receive', () => {
    const sweeper = synth.stack.engine.sweeper;
    expect(actionsOf(synth.template, sweeper)).toEqual(
      ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', ...LOGS, 'sqs:SendMessage'].sort(),
    );
    expect(resourcesFor(synth.template, sweeper, 'dynamodb:Query')).toEqual([indexArn(table, 'active')]);
  });

  it('authorizer: read the API key table, nothing of the tasks', () => {
    const authorizer = synth.stack.api.authorizerFunction!;
    expect(actionsOf(synth.template, authorizer)).toEqual(['dynamodb:GetItem', ...LOGS].sort());
    expect(resourcesFor(synth.template, authorizer, 'dynamodb:GetItem')).toEqual([arnOf(logicalId(synth.stack.api.apiKeyTable!.table))]);
  });

  it('no identity policy in the stack allows a wildcard action, and no function role carries a managed policy', () => {
    const policies = Object.values(synth.template.findResources('AWS::IAM::Policy'));
    expect(policies.length).toBeGreaterThanOrEqual(4);
    for (const policy of policies) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        for (const action of ([] as string[]).concat(statement.Action)) expect(action).not.toContain('*');
      }
    }
    for (const role of Object.values(synth.template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});
