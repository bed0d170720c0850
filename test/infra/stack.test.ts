import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV_VARS, loadConfig } from '../../lambda/shared/config.js';
import { TASK_QUEUE, TASK_TABLE, WORKER_TIMEOUT_SECONDS } from '../../lambda/shared/resources.js';
import { METRIC, SERVICE_NAME } from '../../lambda/shared/telemetry.js';
import type { HandlerFunction } from '../../lib/handler-function.js';
import { JWT_CONTEXT, logicalId, synthStack, type SynthesizedStack } from './stack-fixture.js';

const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

describe('Stack: McpAsyncTasksStack (auth=apikey, defaults)', () => {
  let synth: SynthesizedStack;
  beforeAll(() => {
    synth = synthStack();
  });

  describe('TaskTable', () => {
    it('is keyed by taskId, on demand, with TTL, point-in-time recovery and encryption', () => {
      synth.template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [{ AttributeName: TASK_TABLE.partitionKey, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: TASK_TABLE.ttlAttribute, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      });
    });

    it('has the byOwner, liveByOwner and active indexes with exactly the projections the store reads', () => {
      const { Properties } = synth.template.findResources('AWS::DynamoDB::Table', {
        Properties: { KeySchema: [{ AttributeName: TASK_TABLE.partitionKey }] },
      })[logicalId(synth.stack.engine.table.table)]!;
      expect(Properties.AttributeDefinitions).toEqual(
        expect.arrayContaining([
          { AttributeName: 'taskId', AttributeType: 'S' },
          { AttributeName: 'owner', AttributeType: 'S' },
          { AttributeName: 'createdAt', AttributeType: 'N' },
          { AttributeName: 'liveOwner', AttributeType: 'S' },
          { AttributeName: 'activeShard', AttributeType: 'S' },
          { AttributeName: 'sweepAt', AttributeType: 'N' },
        ]),
      );
      expect(Properties.AttributeDefinitions).toHaveLength(6);
      expect(Properties.GlobalSecondaryIndexes).toEqual([
        {
          IndexName: 'byOwner',
          KeySchema: [
            { AttributeName: 'owner', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...TASK_TABLE.byOwner.projected] },
        },
        {
          // Counted for the per-caller quota: keys are all it needs.
          IndexName: 'liveByOwner',
          KeySchema: [
            { AttributeName: 'liveOwner', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
        {
          IndexName: 'active',
          KeySchema: [
            { AttributeName: 'activeShard', KeyType: 'HASH' },
            { AttributeName: 'sweepAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...TASK_TABLE.active.projected] },
        },
      ]);
    });

    it('is retained by default', () => {
      synth.template.hasResource('AWS::DynamoDB::Table', {
        Properties: { KeySchema: [{ AttributeName: TASK_TABLE.partitionKey }] },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });
  });

  describe('TaskQueue', () => {
    it('redrives to the DLQ after maxReceiveCount, with SSE and a visibility of 6x the worker timeout', () => {
      synth.template.hasResourceProperties('AWS::SQS::Queue', {
        VisibilityTimeout: TASK_QUEUE.visibilityTimeoutFactor * WORKER_TIMEOUT_SECONDS,
        RedrivePolicy: { maxReceiveCount: 3, deadLetterTargetArn: arnOf(logicalId(synth.stack.engine.queue.deadLetterQueue)) },
        SqsManagedSseEnabled: true,
      });
      expect(TASK_QUEUE.visibilityTimeoutFactor * WORKER_TIMEOUT_SECONDS).toBe(5400);
    });

    it('keeps dead letters 14 days, encrypted', () => {
      synth.template.hasResourceProperties('AWS::SQS::Queue', {
        MessageRetentionPeriod: 14 * 86_400,
        SqsManagedSseEnabled: true,
      });
    });

    it('refuses non-TLS access to both queues', () => {
      for (const queue of [synth.stack.engine.queue.queue, synth.stack.engine.queue.deadLetterQueue]) {
        synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: [{ Ref: logicalId(queue) }],
          PolicyDocument: {
            Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
          },
        });
      }
    });
  });

  describe('Functions', () => {
    const functions = (s: SynthesizedStack) => ({
      api: s.stack.api.handler,
      worker: s.stack.engine.worker,
      sweeper: s.stack.engine.sweeper,
      authorizer: s.stack.api.authorizerFunction!,
    });

    it('are all Node.js 24 on arm64, each logging to its own log group with retention', () => {
      for (const fn of Object.values(functions(synth))) {
        synth.template.hasResource('AWS::Lambda::Function', {
          Properties: {
            Runtime: 'nodejs24.x',
            Architectures: ['arm64'],
            Handler: 'index.handler',
            Role: arnOf(logicalId(fn.role)),
            LoggingConfig: { LogGroup: { Ref: logicalId(fn.logGroup) } },
          },
        });
        expect(synth.template.toJSON().Resources[logicalId(fn.logGroup)]).toMatchObject({
          Properties: { RetentionInDays: 30 },
          DeletionPolicy: 'Retain',
        });
      }
    });

    it('give the worker WORKER_TIMEOUT_SECONDS, the sweeper a reserved concurrency of 1, the api 29 s and 1024 MB', () => {
      const props = (fn: HandlerFunction) =>
        synth.template.toJSON().Resources[logicalId(fn.function)].Properties as Record<string, unknown>;
      const fns = functions(synth);
      expect(props(fns.worker)).toMatchObject({ Timeout: WORKER_TIMEOUT_SECONDS });
      expect(props(fns.sweeper)).toMatchObject({ ReservedConcurrentExecutions: 1, Timeout: 55 });
      expect(props(fns.api)).toMatchObject({ Timeout: 29, MemorySize: 1024 });
      expect(props(fns.api)).not.toHaveProperty('ReservedConcurrentExecutions');
    });

    it('hand every task handler the validated configuration, which reads back through loadConfig', () => {
      for (const fn of [synth.stack.api.handler, synth.stack.engine.worker, synth.stack.engine.sweeper]) {
        const variables = synth.template.toJSON().Resources[logicalId(fn.function)].Properties.Environment.Variables;
        expect(variables.TASK_TABLE).toEqual({ Ref: logicalId(synth.stack.engine.table.table) });
        expect(variables.TASK_QUEUE_URL).toEqual({ Ref: logicalId(synth.stack.engine.queue.queue) });
        // No source map to apply: --enable-source-maps parsing one cost ~80 ms of each cold start (bench:coldstart).
        expect(variables).not.toHaveProperty('NODE_OPTIONS');
        expect(variables).not.toHaveProperty('AUTH_DISABLED');
        const config = loadConfig({ ...variables, TASK_TABLE: 'resolved-table', TASK_QUEUE_URL: 'resolved-url' });
        expect(config).toEqual(loadConfig({ TASK_TABLE: 'resolved-table', TASK_QUEUE_URL: 'resolved-url' }));
      }
    });

    it('consume the queue with reported batch item failures, batch size 1 and MAX_CONCURRENCY', () => {
      synth.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: logicalId(synth.stack.engine.worker.function) },
        EventSourceArn: arnOf(logicalId(synth.stack.engine.queue.queue)),
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 1,
        ScalingConfig: { MaximumConcurrency: 50 },
      });
      synth.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    });

    it('run the sweeper every minute, never retrying or queueing a missed sweep', () => {
      synth.template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        Targets: [
          Match.objectLike({
            Arn: arnOf(logicalId(synth.stack.engine.sweeper.function)),
            RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
          }),
        ],
      });
      synth.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalId(synth.stack.engine.sweeper.function) },
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
      });
    });
  });

  describe('API', () => {
    it('routes POST, GET and DELETE /mcp to the api function through the API key authorizer', () => {
      const authorizerId = logicalId(synth.stack.node.findChild('Api').node.findChild('HttpApi').node.findChild('ApiKeyAuthorizer'));
      for (const method of ['POST', 'GET', 'DELETE']) {
        synth.template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
          RouteKey: `${method} /mcp`,
          AuthorizationType: 'CUSTOM',
          AuthorizerId: { Ref: authorizerId },
          Target: Match.anyValue(),
        });
      }
      synth.template.resourceCountIs('AWS::ApiGatewayV2::Route', 3);
      synth.template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: arnOf(logicalId(synth.stack.api.handler.function)),
      });
    });

    it('uses a simple-response Lambda authorizer on the Authorization header, cached 60 s', () => {
      synth.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
        AuthorizerType: 'REQUEST',
        EnableSimpleResponses: true,
        AuthorizerPayloadFormatVersion: '2.0',
        IdentitySource: ['$request.header.Authorization'],
        AuthorizerResultTtlInSeconds: 60,
        AuthorizerUri: Match.objectLike({
          'Fn::Join': ['', Match.arrayWith([arnOf(logicalId(synth.stack.api.authorizerFunction!.function))])],
        }),
      });
    });

    it('gives the authorizer its own API key table: hashed keys, PITR, encrypted, retained', () => {
      const keys = synth.stack.api.apiKeyTable!.table;
      synth.template.hasResource('AWS::DynamoDB::Table', {
        Properties: {
          KeySchema: [{ AttributeName: 'keyHash', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
        },
        DeletionPolicy: 'Retain',
      });
      const variables =
        synth.template.toJSON().Resources[logicalId(synth.stack.api.authorizerFunction!.function)].Properties.Environment.Variables;
      expect(variables.API_KEY_TABLE).toEqual({ Ref: logicalId(keys) });
    });

    it('throttles and access-logs the $default stage', () => {
      synth.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
        AccessLogSettings: {
          DestinationArn: arnOf(logicalId(synth.stack.api.accessLogs)),
          Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
        },
      });
      const format = JSON.parse(
        Object.values(synth.template.findResources('AWS::ApiGatewayV2::Stage'))[0]!.Properties.AccessLogSettings.Format,
      );
      expect(format).toMatchObject({ status: '$context.status', principal: '$context.authorizer.principal' });
    });
  });

  describe('Monitoring', () => {
    const alarm = (name: string) => synth.template.toJSON().Resources[logicalId(synth.stack.monitoring.alarms[name]!)].Properties;
    const taskMetric = (metricName: string) => ({
      Namespace: 'McpAsyncTasks',
      MetricName: metricName,
      Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
    });

    it('alarms on the failure rate failed / (completed + failed), only with 10 finished tasks, over ALERT_FAILURE_RATE', () => {
      const props = alarm('failureRate');
      expect(props).toMatchObject({
        Threshold: 0.05,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
      expect(props.Metrics).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Expression: 'IF((completed + failed) >= 10, failed / (completed + failed), 0)', ReturnData: true }),
          expect.objectContaining({ Id: 'completed', Expression: 'FILL(completedRaw, 0)', ReturnData: false }),
          expect.objectContaining({ Id: 'failed', Expression: 'FILL(failedRaw, 0)', ReturnData: false }),
          expect.objectContaining({
            Id: 'completedRaw',
            MetricStat: { Metric: taskMetric(METRIC.TasksCompleted), Period: 900, Stat: 'Sum' },
          }),
          expect.objectContaining({ Id: 'failedRaw', MetricStat: { Metric: taskMetric(METRIC.TasksFailed), Period: 900, Stat: 'Sum' } }),
        ]),
      );
    });

    it('alarms when the average task duration exceeds the SLA (DEFAULT_TIMEOUT_SECONDS)', () => {
      expect(alarm('duration')).toMatchObject({
        ...taskMetric(METRIC.TaskDuration),
        Statistic: 'Average',
        Period: 900,
        Threshold: 120_000,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    it('alarms on any dead letter, holding the alarm while SQS reports nothing', () => {
      expect(alarm('deadLetters')).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(synth.stack.engine.queue.deadLetterQueue), 'QueueName'] } }],
        Statistic: 'Maximum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'ignore',
      });
    });

    it('alarms when the oldest work message is older than two worker runs', () => {
      expect(alarm('queueAge')).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(synth.stack.engine.queue.queue), 'QueueName'] } }],
        Threshold: 2 * WORKER_TIMEOUT_SECONDS,
      });
    });

    it('alarms on api 5xx, and on errors and throttles of every function', () => {
      expect(alarm('api5xx')).toMatchObject({
        Namespace: 'AWS/ApiGateway',
        MetricName: '5xx',
        Dimensions: [{ Name: 'ApiId', Value: { Ref: logicalId(synth.stack.api.httpApi) } }],
        Statistic: 'Sum',
        Threshold: 0,
      });
      for (const [name, fn] of [
        ['api', synth.stack.api.handler],
        ['worker', synth.stack.engine.worker],
        ['sweeper', synth.stack.engine.sweeper],
        ['authorizer', synth.stack.api.authorizerFunction!],
      ] as const) {
        for (const metric of ['Errors', 'Throttles']) {
          expect(alarm(`${name}${metric}`)).toMatchObject({
            Namespace: 'AWS/Lambda',
            MetricName: metric,
            Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(fn.function) } }],
            Threshold: 0,
            ComparisonOperator: 'GreaterThanThreshold',
          });
        }
      }
      expect(Object.keys(synth.stack.monitoring.alarms)).toHaveLength(13);
    });

    it('sends every alarm, and its recovery, to one TLS-only SNS topic', () => {
      const topic = { Ref: logicalId(synth.stack.monitoring.topic) };
      const alarms = Object.values(synth.template.findResources('AWS::CloudWatch::Alarm'));
      expect(alarms).toHaveLength(13);
      for (const a of alarms) expect(a.Properties).toMatchObject({ AlarmActions: [topic], OKActions: [topic] });
      synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [topic],
        PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
      });
      synth.template.resourceCountIs('AWS::SNS::Subscription', 0);
    });

    it('draws a dashboard of throughput, failure rate, durations and queue depth', () => {
      const body = JSON.stringify(synth.template.findResources('AWS::CloudWatch::Dashboard'));
      for (const text of [
        'Task throughput',
        'Task failure rate',
        'Task duration',
        'Queue depth',
        METRIC.QueueWait,
        'ApproximateNumberOfMessagesVisible',
      ]) {
        expect(body).toContain(text);
      }
    });

    it('estimates agent tokens per task beside the failure rate: response bytes / 4 / tasks submitted', () => {
      const [dashboard] = Object.values(synth.template.findResources('AWS::CloudWatch::Dashboard'));
      // The body is a Fn::Join of JSON text and tokens (region, names); the tokens sit inside strings.
      const parts = (dashboard!.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
      const body = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'TOKEN')).join('')) as {
        widgets: Array<{ properties: { title?: string; metrics?: unknown[][] } }>;
      };
      const titles = body.widgets.map((w) => w.properties.title);
      const at = titles.indexOf('Agent tokens per task (estimated)');
      expect(at).toBeGreaterThan(-1);
      expect(titles[at - 1]).toBe('Task failure rate');
      const metrics = body.widgets[at]!.properties.metrics!;
      expect(metrics).toContainEqual([
        expect.objectContaining({
          expression: 'IF(submitted > 0, FILL(responseBytes, 0) / 4 / submitted, 0)',
          label: 'Agent tokens per task',
        }),
      ]);
      expect(metrics).toContainEqual(
        expect.arrayContaining([
          METRIC.ToolResponseBytes,
          'service',
          SERVICE_NAME,
          expect.objectContaining({ id: 'responseBytes', stat: 'Sum', period: 3600 }),
        ]),
      );
      expect(metrics).toContainEqual(
        expect.arrayContaining([METRIC.TasksSubmitted, expect.objectContaining({ id: 'submitted', stat: 'Sum', period: 3600 })]),
      );
    });
  });

  it('outputs the MCP endpoint (…/mcp), table, queue, DLQ, dashboard and API key table', () => {
    const outputs = synth.template.toJSON().Outputs;
    expect(Object.keys(outputs).sort()).toEqual(
      ['AlarmTopicArn', 'ApiKeyTableName', 'DashboardUrl', 'DeadLetterQueueName', 'McpEndpoint', 'TaskQueueName', 'TaskTableName'].sort(),
    );
    expect(outputs.McpEndpoint.Value).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(synth.stack.api.httpApi), 'ApiEndpoint'] }, '/mcp']],
    });
    expect(outputs.TaskTableName.Value).toEqual({ Ref: logicalId(synth.stack.engine.table.table) });
    expect(outputs.TaskQueueName.Value).toEqual({ 'Fn::GetAtt': [logicalId(synth.stack.engine.queue.queue), 'QueueName'] });
    expect(outputs.DeadLetterQueueName.Value).toEqual({ 'Fn::GetAtt': [logicalId(synth.stack.engine.queue.deadLetterQueue), 'QueueName'] });
    expect(JSON.stringify(outputs.DashboardUrl.Value)).toContain(
      `"#dashboards:name=",{"Ref":"${logicalId(synth.stack.monitoring.dashboard)}"}`,
    );
    synth.template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'McpAsyncTasks-dev' });
    expect(outputs.ApiKeyTableName.Value).toEqual({ Ref: logicalId(synth.stack.api.apiKeyTable!.table) });
  });
});

describe('Stack: McpAsyncTasksStack (other auth modes and settings)', () => {
  it('auth=jwt: a JWT authorizer with the issuer and audience, no Lambda authorizer or key table', () => {
    // Act
    const { template, stack } = synthStack(JWT_CONTEXT);

    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: 'https://login.example.com/', Audience: ['mcp-async-tasks'] },
    });
    for (const method of ['POST', 'GET', 'DELETE']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `${method} /mcp`, AuthorizationType: 'JWT' });
    }
    expect(stack.api.authorizerFunction).toBeUndefined();
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::Lambda::Function', 3);
    expect(template.toJSON().Outputs).not.toHaveProperty('ApiKeyTableName');
    expect(Object.keys(stack.monitoring.alarms)).toHaveLength(11);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: { Format: Match.stringLikeRegexp('"principal":"\\$context.authorizer.claims.sub"') },
    });
  });

  it('auth=none: open routes and AUTH_DISABLED=true for the api only', () => {
    // Act
    const { template, stack } = synthStack({ stage: 'scratch', auth: 'none' });

    // Assess
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    for (const method of ['POST', 'GET', 'DELETE']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `${method} /mcp`, AuthorizationType: 'NONE' });
    }
    const env = (fn: HandlerFunction) => template.toJSON().Resources[logicalId(fn.function)].Properties.Environment.Variables;
    expect(env(stack.api.handler).AUTH_DISABLED).toBe('true');
    expect(env(stack.engine.worker)).not.toHaveProperty('AUTH_DISABLED');
    expect(env(stack.engine.sweeper)).not.toHaveProperty('AUTH_DISABLED');
  });

  it('applies context: stage, throttles, sizes, worker scaling, retention, alarm threshold, email', () => {
    // Act
    const { template, stack } = synthStack({
      stage: 'staging',
      ALERT_FAILURE_RATE: '0.1',
      DEFAULT_TIMEOUT_SECONDS: '300',
      METRICS_NAMESPACE: 'Tasks/Staging',
      MAX_ACTIVE_TASKS_PER_CALLER: '25',
      MAX_STARTS_PER_MINUTE_PER_CALLER: '60',
      apiThrottleRate: '5',
      apiThrottleBurst: '10',
      apiMemoryMb: '512',
      apiTimeoutSeconds: '28',
      workerBatchSize: '2',
      workerMaxConcurrency: '7',
      logRetentionDays: '7',
      alarmEmail: 'ops@example.com',
    });

    // Assess
    expect(stack.stackName).toBe('McpAsyncTasks-staging');
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^MCP endpoint'),
      MemorySize: 512,
      Timeout: 28,
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 2, ScalingConfig: { MaximumConcurrency: 7 } });
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) expect(group.Properties.RetentionInDays).toBe(7);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'McpAsyncTasks-staging-failureRate', Threshold: 0.1 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'McpAsyncTasks-staging-duration',
      Namespace: 'Tasks/Staging',
      Threshold: 300_000,
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    const apiEnv = template.toJSON().Resources[logicalId(stack.api.handler.function)].Properties.Environment.Variables;
    expect(apiEnv).toMatchObject({
      [ENV_VARS['observability.alertFailureRate']]: '0.1',
      METRICS_NAMESPACE: 'Tasks/Staging',
      MAX_ACTIVE_TASKS_PER_CALLER: '25',
      MAX_STARTS_PER_MINUTE_PER_CALLER: '60',
    });
  });

  it('removalPolicy=destroy: tables and log groups go with the stack, without deletion protection', () => {
    // Act
    const { template } = synthStack({ stage: 'scratch', removalPolicy: 'destroy' });

    // Assess
    for (const table of Object.values(template.findResources('AWS::DynamoDB::Table'))) {
      expect(table).toMatchObject({ DeletionPolicy: 'Delete' });
      expect(table.Properties.DeletionProtectionEnabled).toBe(false);
    }
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup')))
      expect(group).toMatchObject({ DeletionPolicy: 'Delete' });
  });
});
