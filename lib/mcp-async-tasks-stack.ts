import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { DeployConfig } from './deploy-config.js';
import type { McpApiAuth } from './mcp-api.js';
import { McpApi } from './mcp-api.js';
import { TaskEngine } from './task-engine.js';
import { TaskMonitoring } from './task-monitoring.js';

/** Properties of the McpAsyncTasksStack. */
export interface McpAsyncTasksStackProps extends StackProps {
  /** The validated configuration (readDeployConfig). */
  readonly deployConfig: DeployConfig;
}

/** The stack name for a stage. */
export function stackNameFor(stage: string): string {
  return `McpAsyncTasks-${stage}`;
}

/** The whole deployment: task engine, MCP endpoint and monitoring, wired together. */
export class McpAsyncTasksStack extends Stack {
  readonly engine: TaskEngine;
  readonly api: McpApi;
  readonly monitoring: TaskMonitoring;

  constructor(scope: Construct, id: string, props: McpAsyncTasksStackProps) {
    super(scope, id, props);
    const { config, settings } = props.deployConfig;
    const removalPolicy = settings.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const logRetention = settings.logRetentionDays as RetentionDays;

    this.engine = new TaskEngine(this, 'Engine', {
      config,
      removalPolicy,
      logRetention,
      workerBatchSize: settings.workerBatchSize,
      workerMaxConcurrency: settings.workerMaxConcurrency,
    });

    const auth: McpApiAuth =
      settings.auth === 'jwt' ? { mode: 'jwt', issuer: settings.jwtIssuer!, audience: settings.jwtAudience! } : { mode: settings.auth };
    this.api = new McpApi(this, 'Api', {
      environment: this.engine.environment,
      auth,
      throttleRate: settings.apiThrottleRate,
      throttleBurst: settings.apiThrottleBurst,
      memorySize: settings.apiMemoryMb,
      timeout: Duration.seconds(settings.apiTimeoutSeconds),
      logRetention,
      removalPolicy,
    });
    this.engine.grantSubmit(this.api.handler.function);

    this.monitoring = new TaskMonitoring(this, 'Monitoring', {
      metricsNamespace: config.observability.metricsNamespace,
      failureRateThreshold: config.observability.alertFailureRate,
      durationSla: Duration.seconds(config.execution.defaultTimeoutSeconds),
      queue: this.engine.queue.queue,
      deadLetterQueue: this.engine.queue.deadLetterQueue,
      httpApi: this.api.httpApi,
      functions: {
        api: this.api.handler.function,
        worker: this.engine.worker.function,
        sweeper: this.engine.sweeper.function,
        ...(this.api.authorizerFunction && { authorizer: this.api.authorizerFunction.function }),
      },
      alarmEmail: settings.alarmEmail,
    });

    new CfnOutput(this, 'McpEndpoint', { value: this.api.endpoint, description: 'Point MCP clients here' });
    new CfnOutput(this, 'TaskTableName', { value: this.engine.table.table.tableName });
    new CfnOutput(this, 'TaskQueueName', { value: this.engine.queue.queue.queueName });
    new CfnOutput(this, 'DeadLetterQueueName', { value: this.engine.queue.deadLetterQueue.queueName });
    new CfnOutput(this, 'DashboardUrl', { value: this.monitoring.dashboardUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    if (this.api.apiKeyTable) {
      new CfnOutput(this, 'ApiKeyTableName', {
        value: this.api.apiKeyTable.table.tableName,
        description: 'npx tsx bin/api-keys.ts create --table <this> --principal <name>',
      });
    }
  }
}
