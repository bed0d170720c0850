import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Config } from './config.js';

/** Metric names, shared with the CDK alarms and dashboard so the two never drift. */
export const METRIC = {
  TasksSubmitted: 'TasksSubmitted',
  TasksCompleted: 'TasksCompleted',
  TasksFailed: 'TasksFailed',
  TasksCancelled: 'TasksCancelled',
  TasksRetried: 'TasksRetried',
  TasksSwept: 'TasksSwept',
  TaskDuration: 'TaskDuration',
  QueueWait: 'QueueWait',
  /** Bytes of each MCP response an agent reads (tools/call and tasks/*); / 4 ≈ its tokens. */
  ToolResponseBytes: 'ToolResponseBytes',
} as const;

/** The `service` dimension every metric carries. */
export const SERVICE_NAME = 'mcp-async-tasks';

/** Task lifecycle events the core reports; an interface so the core never depends on Powertools. */
export interface TaskTelemetry {
  submitted(): void;
  started(queueWaitMs: number): void;
  completed(durationMs: number): void;
  failed(errorCode: string, durationMs?: number): void;
  cancelled(): void;
  retried(): void;
  swept(action: string): void;
  /** One MCP response of `bytes` for `tool` (a tool's name, or the tasks/* method). */
  toolResponse(tool: string, bytes: number): void;
}

/** A structured JSON logger at the configured level. */
export function createLogger(config: Config): Logger {
  return new Logger({ serviceName: SERVICE_NAME, logLevel: config.observability.logLevel });
}

/** EMF metrics through Powertools: buffered, flushed by `flush()` at the end of each invocation. */
export class PowertoolsTelemetry implements TaskTelemetry {
  readonly metrics: Metrics;

  constructor(config: Config) {
    this.metrics = new Metrics({ namespace: config.observability.metricsNamespace, serviceName: SERVICE_NAME });
  }

  submitted(): void {
    this.metrics.addMetric(METRIC.TasksSubmitted, MetricUnit.Count, 1);
  }

  started(queueWaitMs: number): void {
    this.metrics.addMetric(METRIC.QueueWait, MetricUnit.Milliseconds, queueWaitMs);
  }

  completed(durationMs: number): void {
    this.metrics.addMetric(METRIC.TasksCompleted, MetricUnit.Count, 1);
    this.metrics.addMetric(METRIC.TaskDuration, MetricUnit.Milliseconds, durationMs);
  }

  failed(errorCode: string, durationMs?: number): void {
    // The service-level count drives the failure-rate alarm; the per-code count explains it.
    this.metrics.addMetric(METRIC.TasksFailed, MetricUnit.Count, 1);
    const byCode = this.metrics.singleMetric();
    byCode.addDimension('ErrorCode', errorCode);
    byCode.addMetric(METRIC.TasksFailed, MetricUnit.Count, 1);
    if (durationMs !== undefined) this.metrics.addMetric(METRIC.TaskDuration, MetricUnit.Milliseconds, durationMs);
  }

  cancelled(): void {
    this.metrics.addMetric(METRIC.TasksCancelled, MetricUnit.Count, 1);
  }

  retried(): void {
    this.metrics.addMetric(METRIC.TasksRetried, MetricUnit.Count, 1);
  }

  swept(action: string): void {
    const single = this.metrics.singleMetric();
    single.addDimension('Action', action);
    single.addMetric(METRIC.TasksSwept, MetricUnit.Count, 1);
  }

  toolResponse(tool: string, bytes: number): void {
    // Service-level for the dashboard's tokens-per-task math, and by tool to say which call is heavy.
    this.metrics.addMetric(METRIC.ToolResponseBytes, MetricUnit.Bytes, bytes);
    const byTool = this.metrics.singleMetric();
    byTool.addDimension('Tool', tool);
    byTool.addMetric(METRIC.ToolResponseBytes, MetricUnit.Bytes, bytes);
  }

  /** Writes the buffered metrics (call once per invocation); nothing when none were recorded, as Powertools warns on an empty flush. */
  flush(): void {
    if (this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
  }
}

/** Telemetry that records nothing, for tools and tests that do not look at metrics. */
export const noTelemetry: TaskTelemetry = {
  submitted() {},
  started() {},
  completed() {},
  failed() {},
  cancelled() {},
  retried() {},
  swept() {},
  toolResponse() {},
};
