import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../lambda/shared/config.js';
import { METRIC, PowertoolsTelemetry, SERVICE_NAME } from '../../lambda/shared/telemetry.js';

interface EmfLine {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [key: string]: unknown;
}

/** Runs `act` and returns the EMF documents it wrote to stdout. */
function captureEmf(act: () => void): EmfLine[] {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    act();
  } finally {
    spy.mockRestore();
  }
  return lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.includes('CloudWatchMetrics'))
    .map((l) => JSON.parse(l) as EmfLine);
}

afterEach(() => vi.restoreAllMocks());

describe('PowertoolsTelemetry', () => {
  it('writes the metrics the CDK alarms read, in the configured namespace with the service dimension', () => {
    const telemetry = new PowertoolsTelemetry(loadConfig({ METRICS_NAMESPACE: 'TestTasks' }));
    const docs = captureEmf(() => {
      telemetry.submitted();
      telemetry.started(40);
      telemetry.completed(1_500);
      telemetry.failed('timeout', 2_000);
      telemetry.flush();
    });
    const byName = new Map<string, EmfLine[]>();
    for (const doc of docs)
      for (const m of doc._aws.CloudWatchMetrics[0]!.Metrics) byName.set(m.Name, [...(byName.get(m.Name) ?? []), doc]);

    for (const name of [METRIC.TasksSubmitted, METRIC.QueueWait, METRIC.TasksCompleted, METRIC.TaskDuration, METRIC.TasksFailed]) {
      expect(byName.has(name), name).toBe(true);
    }
    const serviceLevel = docs.find((d) => d._aws.CloudWatchMetrics[0]!.Metrics.some((m) => m.Name === METRIC.TasksCompleted))!;
    expect(serviceLevel._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'TestTasks', Dimensions: [['service']] });
    expect(serviceLevel.service).toBe(SERVICE_NAME);
    // Failures are counted twice: once for the failure-rate alarm (service only), once by error code.
    const failed = byName.get(METRIC.TasksFailed)!;
    expect(failed.map((d) => d._aws.CloudWatchMetrics[0]!.Dimensions[0]!.sort())).toEqual(
      expect.arrayContaining([['service'], ['ErrorCode', 'service']]),
    );
    expect(failed.find((d) => d.ErrorCode)?.ErrorCode).toBe('timeout');
  });
});

describe('PowertoolsTelemetry.toolResponse', () => {
  it('writes ToolResponseBytes in bytes, once service-level (the dashboard sums it) and once by Tool', () => {
    const telemetry = new PowertoolsTelemetry(loadConfig({ METRICS_NAMESPACE: 'TestTasks' }));
    const docs = captureEmf(() => {
      telemetry.toolResponse('resolve_task_status', 412);
      telemetry.flush();
    });
    const sized = docs.filter((d) => d._aws.CloudWatchMetrics[0]!.Metrics.some((m) => m.Name === METRIC.ToolResponseBytes));
    expect(sized).toHaveLength(2);
    for (const doc of sized) {
      expect(doc._aws.CloudWatchMetrics[0]!.Metrics).toContainEqual({ Name: 'ToolResponseBytes', Unit: 'Bytes' });
      expect(doc._aws.CloudWatchMetrics[0]!.Namespace).toBe('TestTasks');
      expect(doc.ToolResponseBytes).toBe(412);
    }
    expect(sized.map((d) => [...d._aws.CloudWatchMetrics[0]!.Dimensions[0]!].sort())).toEqual(
      expect.arrayContaining([['service'], ['Tool', 'service']]),
    );
    expect(sized.find((d) => d.Tool)?.Tool).toBe('resolve_task_status');
  });
});
