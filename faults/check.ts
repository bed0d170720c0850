import { isDeepStrictEqual } from 'node:util';
import type { TaskRecord } from '../lambda/tasks/task.js';
import type { Transition } from './observe.js';
import type { RunStats } from './probe.js';

/** A task the scenario got a task id for, and what its truthful end is. */
export interface Tracked {
  taskId: string;
  /** Names its runs (the probe key, or the HTTP target's path). */
  key: string;
  /** Why this final record is not the truthful end of this task, or undefined when it is. */
  judge(record: TaskRecord): string | undefined;
  /** Runs the operation may make: 1 unless the scenario itself retries or kills it. */
  maxRuns: number;
}

/** How one scenario ended. */
export interface ScenarioReport {
  name: string;
  seconds: number;
  tasks: number;
  completed: number;
  failedByCode: Record<string, number>;
  cancelled: number;
  /** Not terminal (or gone) after its deadline plus a sweep. */
  lost: number;
  /** More than one terminal transition. */
  doubleTerminal: number;
  /** A terminal state that is not the truth: wrong status, code or result, no recorded transition, or an operation run concurrently or more often than allowed. */
  mislabeled: number;
  /** Tasks whose operation ran more than once (allowed where the scenario kills or retries). */
  rerun: number;
  /** Tasks whose operation ran twice at once (counted in mislabeled too). */
  overlap: number;
  /** The first reasons, for the report. */
  problems: string[];
  /** What the faults did, a line each. */
  notes: string[];
}

/** What was observed about the tasks of a scenario. */
export interface Observations {
  records: Map<string, TaskRecord | undefined>;
  runs: Map<string, RunStats>;
  transitions: Map<string, Transition[]>;
  /**
   * Whether the stack process was killed within moments after `at` (the kill scenario): what it did
   * just before may be half done — a terminal write without its log line, a result without its write.
   */
  killedSoonAfter?: (at: number) => boolean;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const MAX_PROBLEMS = 8;

/** Judges every tracked task: one terminal state, one transition, a truthful code and result, no double runs. */
export function checkTasks(
  name: string,
  tracked: readonly Tracked[],
  seen: Observations,
  startedAt: number,
  notes: string[] = [],
): ScenarioReport {
  const report: ScenarioReport = {
    name,
    seconds: (Date.now() - startedAt) / 1000,
    tasks: tracked.length,
    completed: 0,
    failedByCode: {},
    cancelled: 0,
    lost: 0,
    doubleTerminal: 0,
    mislabeled: 0,
    rerun: 0,
    overlap: 0,
    problems: [],
    notes,
  };
  const problem = (task: Tracked, what: string) => {
    if (report.problems.length < MAX_PROBLEMS) report.problems.push(`${task.key} (${task.taskId}): ${what}`);
  };
  for (const task of tracked) {
    const record = seen.records.get(task.taskId);
    const runs = seen.runs.get(task.key) ?? { runs: 0, overlaps: 0, outcomes: [] };
    if (runs.runs > 1) report.rerun++;
    if (!record || !TERMINAL.has(record.status)) {
      report.lost++;
      problem(task, `still ${record?.status ?? 'missing'} after its deadline and a sweep`);
      continue;
    }
    if (record.status === 'completed') report.completed++;
    else if (record.status === 'cancelled') report.cancelled++;
    else report.failedByCode[record.error?.code ?? '?'] = (report.failedByCode[record.error?.code ?? '?'] ?? 0) + 1;

    const transitions = seen.transitions.get(task.taskId) ?? [];
    if (transitions.length > 1) {
      report.doubleTerminal++;
      problem(
        task,
        `${transitions.length} terminal transitions: ${transitions.map((t) => `${t.status}/${t.code ?? '-'} by ${t.by ?? t.source}`).join(', ')}`,
      );
      continue;
    }
    const why = untruthful(task, record, runs, transitions, seen.killedSoonAfter ?? (() => false));
    if (why) {
      report.mislabeled++;
      if (runs.overlaps > 0) report.overlap++;
      problem(task, why);
    }
  }
  return report;
}

function untruthful(
  task: Tracked,
  record: TaskRecord,
  runs: RunStats,
  transitions: Transition[],
  killedSoonAfter: (at: number) => boolean,
): string | undefined {
  // A completed record may keep the error of an earlier attempt for pollers: codes count only on failures.
  const code = record.status === 'failed' ? record.error?.code : undefined;
  if (transitions.length === 0 && !killedSoonAfter(record.finishedAt ?? 0))
    return `${describe(record)}, but no terminal transition was recorded`;
  if (
    transitions.length === 1 &&
    (transitions[0]!.status !== record.status ||
      (record.status === 'failed' && transitions[0]!.code !== undefined && transitions[0]!.code !== code))
  ) {
    return `record says ${describe(record)}, its transition said ${transitions[0]!.status}/${transitions[0]!.code}`;
  }
  const by = transitions[0]?.by;
  if (by !== undefined && !writers(record, code, runs).includes(by))
    return `${describe(record)}, yet its \`task finished\` line says by ${by}`;
  if (runs.overlaps > 0) return `the operation ran twice at once (${runs.runs} runs), ended ${describe(record)}`;
  if (runs.runs > task.maxRuns)
    return `the operation ran ${runs.runs} times (at most ${task.maxRuns} allowed: ${runs.outcomes.join(', ')}), ended ${describe(record)}`;
  if (code === 'timeout' && (record.finishedAt ?? Infinity) < record.deadlineAt) {
    return `timeout ${((record.deadlineAt - record.finishedAt!) / 1000).toFixed(1)} s before its deadline`;
  }
  if (code === 'worker_lost') {
    // worker_lost says no worker came back: untrue once a run returned a result, or the last run returned at
    // all — unless the process was killed before it could write what came back.
    const returned = runs.outcomes.includes('ok') || runs.outcomes.at(-1) === 'error';
    if (returned && !killedSoonAfter(runs.returnedAt ?? 0)) return `worker_lost, yet its runs returned (${runs.outcomes.join(', ')})`;
  }
  return task.judge(record);
}

/** Who may make this terminal write (`by` on its `task finished` line). */
function writers(record: TaskRecord, code: string | undefined, runs: RunStats): string[] {
  if (record.status === 'completed') return ['worker'];
  if (record.status === 'cancelled') return ['caller'];
  // worker_lost is the sweeper's finding when the worker died; the worker's own when its run was
  // stopped (out of its time) — or the sweeper's again, when a stopped run lost its lease.
  if (code === 'worker_lost') return runs.outcomes.at(-1) === 'aborted' ? ['worker', 'sweeper'] : ['sweeper'];
  return ['worker', 'sweeper'];
}

export function describe(record: TaskRecord): string {
  return record.status === 'failed' ? `failed/${record.error?.code}` : record.status;
}

// Judges for the common truthful ends; each returns why a record is not that end.

/** Completed with exactly this result. */
export const completedWith = (result: unknown) => (record: TaskRecord) =>
  record.status !== 'completed'
    ? `expected completed, got ${describe(record)}${record.error ? ` (${record.error.message.slice(0, 120)})` : ''}`
    : isDeepStrictEqual(record.result, result)
      ? undefined
      : `completed with the wrong result ${JSON.stringify(record.result).slice(0, 120)}`;

/** Failed with this code. */
export const failedWith = (code: string) => (record: TaskRecord) =>
  record.status === 'failed' && record.error?.code === code
    ? undefined
    : `expected failed/${code}, got ${describe(record)}${record.error ? ` (${record.error.message.slice(0, 120)})` : ''}`;

/** Either judge accepts it. */
export const either =
  (...judges: Array<(record: TaskRecord) => string | undefined>) =>
  (record: TaskRecord) => {
    const reasons = judges.map((judge) => judge(record));
    return reasons.includes(undefined) ? undefined : reasons.join('; ');
  };

/** Where workers can die (kills, lost leases): worker_lost is a truthful end too (the generic check confirms no run returned). */
export const workerLost = failedWith('worker_lost');

/** A timeout is truthful once the deadline really passed (the generic check confirms it). */
export const timedOut = failedWith('timeout');

/** Reads every tracked task's final record through the engine's own store (whatever its storage format). */
export async function readRecords(
  get: (taskId: string) => Promise<TaskRecord | undefined>,
  taskIds: readonly string[],
): Promise<Map<string, TaskRecord | undefined>> {
  const records = new Map<string, TaskRecord | undefined>();
  const queue = [...taskIds];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) records.set(id, await get(id));
    }),
  );
  return records;
}

/** Waits until every task is terminal, or until the last deadline plus `graceMs` has passed; returns the final records. */
export async function settle(
  get: (taskId: string) => Promise<TaskRecord | undefined>,
  taskIds: readonly string[],
  graceMs: number,
): Promise<Map<string, TaskRecord | undefined>> {
  let records = await readRecords(get, taskIds);
  const lastDeadline = Math.max(0, ...[...records.values()].map((r) => r?.deadlineAt ?? 0));
  const giveUpAt = Math.max(Date.now(), lastDeadline) + graceMs;
  for (;;) {
    const live = taskIds.filter((id) => !TERMINAL.has(records.get(id)?.status ?? ''));
    if (live.length === 0 || Date.now() > giveUpAt) return records;
    await new Promise((resolve) => setTimeout(resolve, 250));
    const again = await readRecords(get, live);
    records = new Map([...records, ...again]);
  }
}

/** The per-scenario table: what happened, the counts, and the first problems found. */
export function formatReport(r: ScenarioReport): string {
  const failed =
    Object.entries(r.failedByCode)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ') || '0';
  const columns: Array<[string, string | number]> = [
    ['tasks', r.tasks],
    ['completed', r.completed],
    ['failed', failed],
    ['cancelled', r.cancelled],
    ['lost', r.lost],
    ['double-terminal', r.doubleTerminal],
    ['mislabeled', r.mislabeled],
    ['runs>1', r.rerun],
    ['ran at once', r.overlap],
  ];
  const widths = columns.map(([label, value]) => Math.max(label.length, String(value).length));
  const row = (cells: Array<string | number>) => `   ${cells.map((c, i) => String(c).padEnd(widths[i]!)).join('  ')}`.trimEnd();
  const verdict = r.lost + r.doubleTerminal + r.mislabeled === 0 ? 'ok' : 'FAIL';
  return [
    `── ${r.name}: ${verdict} (${r.seconds.toFixed(1)} s)`,
    ...r.notes.map((n) => `   ${n}`),
    row(columns.map(([label]) => label)),
    row(columns.map(([, value]) => value)),
    ...r.problems.map((p) => `   ! ${p}`),
  ].join('\n');
}
