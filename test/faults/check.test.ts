import { describe, expect, it } from 'vitest';
import { checkTasks, completedWith, failedWith, type Tracked } from '../../faults/check.js';
import type { Transition } from '../../faults/observe.js';
import { runStats, type RunEvent } from '../../faults/probe.js';
import type { TaskRecord } from '../../lambda/tasks/task.js';

const now = Date.now();
const record = (taskId: string, fields: Partial<TaskRecord>): TaskRecord => ({
  taskId,
  owner: 'o',
  operation: 'probe',
  params: {},
  status: 'completed',
  attempt: 1,
  maxAttempts: 3,
  createdAt: now - 5_000,
  updatedAt: now,
  finishedAt: now,
  deadlineAt: now + 10_000,
  payloadHash: 'h',
  expiresAt: now / 1000 + 3600,
  ...fields,
});
const track = (taskId: string, judge: Tracked['judge'], maxRuns = 1): Tracked => ({ taskId, key: taskId, judge, maxRuns });
const done = (taskId: string, status = 'completed', code?: string): Transition => ({
  taskId,
  status,
  code,
  source: 'log',
  by: status === 'completed' ? 'worker' : 'sweeper',
});
const ran = (key: string, outcome: RunEvent['outcome'] = 'ok', life = 0): RunEvent[] => [
  { type: 'start', key, life },
  { type: 'end', key, outcome, life },
];

describe('fault checks', () => {
  it('counts lost, double-terminal and each kind of untruthful end', () => {
    const records = new Map<string, TaskRecord | undefined>([
      ['fine', record('fine', { result: { echo: 'fine' } })],
      ['stuck', record('stuck', { status: 'processing' })],
      ['twice', record('twice', { result: { echo: 'twice' } })],
      ['wrong', record('wrong', { result: { echo: 'other' } })],
      ['early', record('early', { status: 'failed', error: { code: 'timeout', message: '', retryable: true } })],
      ['rerun', record('rerun', { result: { echo: 'rerun' } })],
      ['lostlie', record('lostlie', { status: 'failed', error: { code: 'worker_lost', message: '', retryable: true } })],
    ]);
    const tracked = [
      track('fine', completedWith({ echo: 'fine' })),
      track('stuck', completedWith({ echo: 'stuck' })),
      track('twice', completedWith({ echo: 'twice' })),
      track('wrong', completedWith({ echo: 'wrong' })),
      track('early', failedWith('timeout')),
      track('rerun', completedWith({ echo: 'rerun' })),
      track('lostlie', failedWith('worker_lost'), 3),
    ];
    const transitions = new Map([
      ['fine', [done('fine')]],
      ['twice', [done('twice'), done('twice')]],
      ['wrong', [done('wrong')]],
      ['early', [done('early', 'failed', 'timeout')]],
      ['rerun', [done('rerun')]],
      ['lostlie', [done('lostlie', 'failed', 'worker_lost')]],
    ]);
    const runs = runStats([...ran('fine'), ...ran('twice'), ...ran('wrong'), ...ran('rerun'), ...ran('rerun'), ...ran('lostlie')]);
    const report = checkTasks('t', tracked, { records, runs, transitions }, now);
    expect(report).toMatchObject({ tasks: 7, lost: 1, doubleTerminal: 1, mislabeled: 4, rerun: 1 });
    expect(report.problems.join('\n')).toMatch(
      /wrong result[\s\S]*before its deadline[\s\S]*ran 2 times[\s\S]*worker_lost, yet its runs returned/,
    );
  });

  it('sees two runs of one task at once, but not a run that died with its process followed by the next life', () => {
    const stats = runStats([
      { type: 'start', key: 'a', life: 0 },
      { type: 'start', key: 'b', life: 0 },
      { type: 'start', key: 'a', life: 0 },
      { type: 'end', key: 'a', outcome: 'ok', life: 0 },
      { type: 'start', key: 'b', life: 1 },
      { type: 'end', key: 'b', outcome: 'ok', life: 1 },
    ]);
    expect(stats.get('a')).toMatchObject({ runs: 2, overlaps: 1 });
    expect(stats.get('b')).toEqual({ runs: 2, overlaps: 0, outcomes: ['died', 'ok'] });
  });
});
