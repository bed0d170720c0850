import { describe, expect, it } from 'vitest';
import { formatReport } from '../../faults/check.js';
import { runSuite, SCENARIOS } from '../../faults/suite.js';

// A slice of `npm run faults`: the scenarios that need no extra process, at a fraction of their size.
const SLICE = ['duplicate-delivery', 'send-failure', 'cancel-race'];
const SCALE = 0.25;

describe('fault suite (slice)', () => {
  it('every accepted task ends once, truthfully, under duplicate deliveries, refused sends and cancel races', async () => {
    const result = await runSuite({ scale: SCALE, seed: 1, only: SLICE });
    const expected = SLICE.map((name) => SCENARIOS.find((s) => s.name === name)!.size(SCALE));
    // The report is the diagnosis when this fails.
    const reports = result.reports.map(formatReport).join('\n');
    expect(
      result.reports.map((r) => r.tasks),
      reports,
    ).toEqual(expected);
    expect(expected).toEqual([25, 25, 25]);
    expect(result.summary, reports).toBe('faults: 3 scenarios, 75 tasks, 0 lost, 0 double-terminal, 0 mislabeled');
  }, 40_000);
});
