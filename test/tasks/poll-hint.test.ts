import { describe, expect, it } from 'vitest';
import {
  finishWindow,
  type HintedTask,
  pollAfterMs,
  pollFloorMs,
  projectedFinishAt,
  taskPollAfterMs,
  waitPauseMs,
} from '../../lambda/tasks/poll-hint.js';

const polling = { initialIntervalMs: 1000, multiplier: 2, maxIntervalMs: 30_000, maxWaitSeconds: 20 };

/** A task created at 0 and claimed at 50 ms, with the given last write. */
const running = (updatedAt: number, percent?: number): HintedTask => ({
  status: 'processing',
  createdAt: 0,
  startedAt: 50,
  updatedAt,
  ...(percent !== undefined && { progress: { percent } }),
});

describe('Function: pollAfterMs (age only)', () => {
  it('starts at the initial interval, doubles each time the age passes it, and stops at the cap', () => {
    const ages = [0, 1_999, 2_000, 2_500, 5_000, 20_000, 600_000];
    expect(ages.map((age) => pollAfterMs(polling, age))).toEqual([1000, 1000, 2000, 2000, 4000, 16000, 30000]);
  });
});

describe('Function: projectedFinishAt', () => {
  it('projects the pace since the start: startedAt + (updatedAt − startedAt) × 100 / percent', () => {
    expect(projectedFinishAt(running(4_050, 40))).toBe(10_050);
    expect(projectedFinishAt(running(8_050, 80))).toBe(10_050);
    expect(projectedFinishAt(running(7_050, 100))).toBe(7_050);
  });

  it('projects nothing without a running task, a start, a positive percent or time run', () => {
    expect(projectedFinishAt(running(4_050))).toBeUndefined();
    expect(projectedFinishAt(running(4_050, 0))).toBeUndefined();
    expect(projectedFinishAt(running(50, 40))).toBeUndefined();
    expect(projectedFinishAt({ ...running(4_050, 40), status: 'pending' })).toBeUndefined();
    expect(projectedFinishAt({ ...running(4_050, 40), startedAt: undefined })).toBeUndefined();
  });
});

describe('Function: taskPollAfterMs', () => {
  it('is the age-only hint without progress', () => {
    expect(taskPollAfterMs(polling, running(9_000), 10_000)).toBe(8000);
    expect(taskPollAfterMs(polling, { status: 'pending', createdAt: 0, updatedAt: 0 }, 500)).toBe(1000);
  });

  it('aims 1 % of the projected run past the projected finish, within the age-only hint', () => {
    // Finish projected at 10 050 ms; aim 10 150 ms.
    expect(taskPollAfterMs(polling, running(8_050, 80), 8_060)).toBe(2090);
    expect(taskPollAfterMs(polling, running(2_050, 20), 2_060)).toBe(2000); // aim 8 090 ms away; age-only says 2 s
  });

  it('never goes below the floor, a quarter of the initial interval', () => {
    expect(pollFloorMs(polling)).toBe(250);
    expect(pollFloorMs({ ...polling, initialIntervalMs: 200 })).toBe(50);
    expect(taskPollAfterMs(polling, running(9_050, 90), 10_100)).toBe(250); // 50 ms to the aim
    expect(taskPollAfterMs(polling, running(9_050, 90), 10_200)).toBe(250); // 150 ms overdue
  });

  it('backs off from a projected finish that has passed: the hint is as long as the task is overdue', () => {
    expect(taskPollAfterMs(polling, running(9_050, 90), 11_050)).toBe(1000);
    expect(taskPollAfterMs(polling, running(9_050, 90), 14_050)).toBe(4000);
    expect(taskPollAfterMs(polling, running(9_050, 90), 40_050)).toBe(30000);
  });
});

/**
 * A client that follows the hints of a `delay`-like task: claimed 50 ms after creation, progress
 * written each second as a rounded percent, done after `durationMs`. Returns when it noticed, and
 * how many times it polled.
 */
function follow(durationMs: number, hint: (task: HintedTask, now: number) => number): { noticedAt: number; polls: number } {
  const startedAt = 50;
  const finishedAt = startedAt + durationMs;
  const at = (now: number): HintedTask | 'done' => {
    if (now >= finishedAt) return 'done';
    const seconds = Math.floor((now - startedAt) / 1000);
    if (now < startedAt) return { status: 'pending', createdAt: 0, updatedAt: 0 };
    if (seconds === 0) return { status: 'processing', createdAt: 0, startedAt, updatedAt: startedAt };
    return running(startedAt + seconds * 1000, Math.round(((seconds * 1000) / durationMs) * 100));
  };
  let now = 0;
  let polls = 0;
  for (let task = at(now); task !== 'done'; task = at(now), polls++) now += hint(task, now);
  return { noticedAt: now, polls };
}

describe('Following the hints', () => {
  const aged = (task: HintedTask, now: number) => pollAfterMs(polling, now - task.createdAt);
  const aimed = (task: HintedTask, now: number) => taskPollAfterMs(polling, task, now);

  it('notices 10, 25 and 60 s tasks within 1.1× their run, where the age-only hint took up to 1.6×', () => {
    expect([10_000, 25_000, 60_000].map((d) => follow(d, aged))).toEqual([
      { noticedAt: 16_000, polls: 5 },
      { noticedAt: 32_000, polls: 6 },
      { noticedAt: 62_000, polls: 7 },
    ]);
    expect([10_000, 25_000, 60_000].map((d) => follow(d, aimed))).toEqual([
      { noticedAt: 10_150, polls: 5 },
      { noticedAt: 25_300, polls: 6 },
      { noticedAt: 60_262, polls: 7 },
    ]);
  });
});

describe('Function: finishWindow', () => {
  it('opens one stale progress write (1 s) of run before the projection, at most 2 s', () => {
    expect(finishWindow(running(9_050, 90))).toEqual({ from: 10_050 - 1000 / 0.9, to: 10_050 });
    expect(finishWindow(running(2_050, 20))).toEqual({ from: 8_050, to: 10_050 });
    expect(finishWindow(running(4_050))).toBeUndefined();
  });
});

describe('Function: waitPauseMs', () => {
  const window = { from: 9_000, to: 10_000 };

  it('is the back-off pause without a window', () => {
    expect(waitPauseMs(400, undefined, 1_000)).toBe(400);
  });

  it('reads up to 1 s apart before the window, landing on its start', () => {
    expect(waitPauseMs(50, window, 5_000)).toBe(1000);
    expect(waitPauseMs(500, window, 8_700)).toBe(300);
    expect(waitPauseMs(500, window, 8_999.5)).toBe(1);
  });

  it('reads 200 ms apart inside it, landing on its end', () => {
    expect(waitPauseMs(500, window, 9_000)).toBe(200);
    expect(waitPauseMs(500, window, 9_900)).toBe(100);
  });

  it('after it, re-reads after as long as the task is overdue, 50 ms at least, the back-off pause at most', () => {
    expect(waitPauseMs(500, window, 10_000)).toBe(50);
    expect(waitPauseMs(500, window, 10_030)).toBe(50);
    expect(waitPauseMs(500, window, 10_120)).toBe(120);
    expect(waitPauseMs(500, window, 11_000)).toBe(500);
    expect(waitPauseMs(100, window, 10_400)).toBe(100);
  });
});
