import { Aws, Duration, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { WORKER_TIMEOUT_SECONDS } from '../lambda/shared/resources.js';
import { METRIC, SERVICE_NAME } from '../lambda/shared/telemetry.js';

/** Properties of a TaskMonitoring. */
export interface TaskMonitoringProps {
  /** The EMF namespace the handlers publish to (config.observability.metricsNamespace). */
  readonly metricsNamespace: string;
  /** Failure-rate threshold, 0-1 (config.observability.alertFailureRate). */
  readonly failureRateThreshold: number;
  /** Average task duration above this fires the duration alarm (the default task SLA). */
  readonly durationSla: Duration;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly httpApi: IHttpApi;
  /** Functions whose errors and throttles raise alarms, by a short name used in alarm names. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** Subscribed to the alarm topic when set. @default - no subscription */
  readonly alarmEmail?: string;
  /** The window over which task metrics are judged. @default Duration.minutes(15) */
  readonly window?: Duration;
  /** Fewer finished tasks than this in a window never fire the failure-rate alarm. @default 10 */
  readonly minTasksForFailureRate?: number;
  /**
   * Age of the oldest work message that fires an alarm; in-flight messages count, so it must exceed
   * one worker run. @default Duration.seconds(2 * WORKER_TIMEOUT_SECONDS)
   */
  readonly maxQueueAge?: Duration;
}

/**
 * Alarms on what users would notice (failed, slow or stuck tasks, api errors, broken functions), all
 * to one SNS topic, and a dashboard of queue depth, throughput, durations and failure rate.
 */
export class TaskMonitoring extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  /** Every alarm by name: failureRate, duration, deadLetters, queueAge, api5xx, <fn>Errors, <fn>Throttles. */
  readonly alarms: Readonly<Record<string, Alarm>>;
  readonly failureRate: MathExpression;
  /** Estimated tokens agents read per submitted task: sum of MCP response bytes / 4 / tasks submitted. */
  readonly agentTokensPerTask: MathExpression;
  /** Console link to the dashboard. */
  readonly dashboardUrl: string;

  constructor(scope: Construct, id: string, props: TaskMonitoringProps) {
    super(scope, id);
    const window = props.window ?? Duration.minutes(15);
    const minTasks = props.minTasksForFailureRate ?? 10;
    const prefix = Stack.of(this).stackName;

    this.topic = new Topic(this, 'AlarmTopic', { displayName: `${prefix} alarms`, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    const task = (metricName: string, statistic: string, period = window) =>
      new Metric({ namespace: props.metricsNamespace, metricName, dimensionsMap: { service: SERVICE_NAME }, statistic, period });

    // FILL: a window with failures but no completions has no `completed` datapoint, and without
    // filling, the whole expression would be missing exactly when every task fails.
    this.failureRate = new MathExpression({
      label: 'Task failure rate',
      period: window,
      expression: `IF((completed + failed) >= ${minTasks}, failed / (completed + failed), 0)`,
      usingMetrics: {
        completed: new MathExpression({
          expression: 'FILL(completedRaw, 0)',
          usingMetrics: { completedRaw: task(METRIC.TasksCompleted, 'Sum') },
        }),
        failed: new MathExpression({
          expression: 'FILL(failedRaw, 0)',
          usingMetrics: { failedRaw: task(METRIC.TasksFailed, 'Sum') },
        }),
      },
    });

    // What agents read, in tokens (≈ bytes / 4), per task started; hourly, as a task's calls straddle shorter periods.
    const hour = Duration.hours(1);
    this.agentTokensPerTask = new MathExpression({
      label: 'Agent tokens per task',
      period: hour,
      expression: 'IF(submitted > 0, FILL(responseBytes, 0) / 4 / submitted, 0)',
      usingMetrics: { responseBytes: task(METRIC.ToolResponseBytes, 'Sum', hour), submitted: task(METRIC.TasksSubmitted, 'Sum', hour) },
    });

    const alarms: Record<string, Alarm> = {};
    const alarm = (name: string, metric: IMetric, threshold: number, description: string, missing = TreatMissingData.NOT_BREACHING) => {
      alarms[name] = new Alarm(this, `${name[0]!.toUpperCase()}${name.slice(1)}Alarm`, {
        alarmName: `${prefix}-${name}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: missing,
      });
    };

    alarm(
      'failureRate',
      this.failureRate,
      props.failureRateThreshold,
      `More than ${props.failureRateThreshold * 100}% of finished tasks failed over ${window.toMinutes()} min ` +
        `(with at least ${minTasks} finished). See the ${METRIC.TasksFailed} metric by ErrorCode.`,
    );
    alarm(
      'duration',
      task(METRIC.TaskDuration, 'Average'),
      props.durationSla.toMilliseconds(),
      `Average task duration over ${window.toMinutes()} min exceeded the ${props.durationSla.toSeconds()} s SLA.`,
    );
    alarm(
      'deadLetters',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) }),
      0,
      'Messages reached the dead-letter queue: a task message failed every delivery.',
      // SQS stops reporting an idle queue; an alarm raised by a stuck message must stay raised.
      TreatMissingData.IGNORE,
    );
    const maxAge = props.maxQueueAge ?? Duration.seconds(2 * WORKER_TIMEOUT_SECONDS);
    alarm(
      'queueAge',
      props.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: Duration.minutes(5) }),
      maxAge.toSeconds(),
      `The oldest work message is older than ${maxAge.toSeconds()} s: workers are not keeping up or not running.`,
    );
    alarm(
      'api5xx',
      props.httpApi.metricServerError({ statistic: 'Sum', period: Duration.minutes(5) }),
      0,
      'The MCP endpoint returned 5xx responses.',
    );
    const fiveMinutes = { statistic: 'Sum', period: Duration.minutes(5) };
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${name}Errors`, fn.metricErrors(fiveMinutes), 0, `The ${name} function failed (error or timeout).`);
      alarm(`${name}Throttles`, fn.metricThrottles(fiveMinutes), 0, `The ${name} function was throttled.`);
    }
    const action = new SnsAction(this.topic);
    for (const a of Object.values(alarms)) {
      a.addAlarmAction(action);
      a.addOkAction(action);
    }
    this.alarms = alarms;

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: prefix, defaultInterval: Duration.hours(3) });
    const fiveMin = Duration.minutes(5);
    this.dashboard.addWidgets(
      new TextWidget({ markdown: `# ${prefix}\nTasks, queue and endpoint of the MCP async task server.`, width: 24, height: 1 }),
      new GraphWidget({
        title: 'Task throughput (per 5 min)',
        width: 8,
        left: [METRIC.TasksSubmitted, METRIC.TasksCompleted, METRIC.TasksFailed, METRIC.TasksCancelled, METRIC.TasksRetried].map((m) =>
          task(m, 'Sum', fiveMin),
        ),
      }),
      new GraphWidget({
        title: 'Task failure rate',
        width: 8,
        left: [this.failureRate],
        leftAnnotations: [{ value: props.failureRateThreshold, label: 'alarm' }],
        leftYAxis: { min: 0, max: 1 },
      }),
      new GraphWidget({
        title: 'Agent tokens per task (estimated)',
        width: 8,
        left: [this.agentTokensPerTask],
        leftYAxis: { min: 0 },
      }),
      new GraphWidget({
        title: 'Task duration and queue wait (ms)',
        width: 8,
        left: [task(METRIC.TaskDuration, 'Average', fiveMin), task(METRIC.TaskDuration, 'p90', fiveMin)],
        right: [task(METRIC.QueueWait, 'Average', fiveMin), task(METRIC.QueueWait, 'p90', fiveMin)],
      }),
      new GraphWidget({
        title: 'Queue depth',
        width: 8,
        left: [
          props.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: fiveMin }),
          props.queue.metricApproximateNumberOfMessagesNotVisible({ statistic: 'Maximum', period: fiveMin }),
          props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: fiveMin, label: 'Dead letters' }),
        ],
        right: [props.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: fiveMin })],
      }),
      new GraphWidget({
        title: 'MCP endpoint',
        width: 8,
        left: [
          props.httpApi.metricCount({ statistic: 'Sum', period: fiveMin }),
          props.httpApi.metricClientError({ statistic: 'Sum', period: fiveMin }),
          props.httpApi.metricServerError({ statistic: 'Sum', period: fiveMin }),
        ],
        right: [props.httpApi.metricLatency({ statistic: 'p90', period: fiveMin })],
      }),
      new GraphWidget({
        title: 'Function errors and throttles',
        width: 8,
        left: Object.entries(props.functions).flatMap(([name, fn]) => [
          fn.metricErrors({ statistic: 'Sum', period: fiveMin, label: `${name} errors` }),
          fn.metricThrottles({ statistic: 'Sum', period: fiveMin, label: `${name} throttles` }),
        ]),
      }),
      new AlarmStatusWidget({ title: 'Alarms', width: 24, alarms: Object.values(alarms) }),
    );
    this.dashboardUrl =
      `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}` +
      `#dashboards:name=${this.dashboard.dashboardName}`;
  }
}
