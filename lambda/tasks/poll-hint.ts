import type { Config } from '../shared/config.js';
import { TaskStatus, type TaskRecord } from './task.js';

/** The fields a hint reads: a task's age, state and last progress. */
export type HintedTask = Pick<TaskRecord, 'status' | 'createdAt' | 'updatedAt' | 'startedAt' | 'progress'>;

/**
 * A progress-aimed hint lands this share of the projected run time after the projected finish, so
 * that a percent rounded up, or a completion write a few ms behind the last progress, is not missed.
 */
const AIM_SLACK = 0.01;
/**
 * The shortest hint is a quarter of the initial interval (250 ms by default): only given near or just
 * past a projected finish, where it costs a poll or two, and where a full initial interval would make
 * a missed aim cost 10 % of a 10 s task.
 */
const FLOOR_SHARE = 0.25;
/**
 * A percent may be up to one progress write older than updatedAt: the lease writes progress at most
 * once a second, and its heartbeats move updatedAt in between. Such a percent projects late.
 */
const PROGRESS_STALE_MS = 1_000;
/** Before a projected finish window, a long-poll re-reads at most this far apart. */
const WAIT_FAR_MS = 1_000;
/** Inside the window, this far apart. */
const WAIT_WINDOW_MS = 200;
/** After the window, no sooner than this. */
const WAIT_NEAR_MS = 50;

/**
 * The age-only schedule (every task's hint until progress counted): the initial interval, multiplied each time the age passes the
 * current interval, capped — so a caller that follows it polls about log2(age) times.
 */
export function pollAfterMs(polling: Config['polling'], ageMs: number): number {
  let interval = polling.initialIntervalMs;
  while (interval * polling.multiplier <= ageMs && interval < polling.maxIntervalMs) interval *= polling.multiplier;
  return Math.min(Math.round(interval), polling.maxIntervalMs);
}

/**
 * When a running task's last progress says it will finish, at the pace it has kept since it started:
 * startedAt + (updatedAt − startedAt) × 100 / percent. Undefined without a running task, a start, or
 * a positive percent written after the start. (updatedAt is the time of the last write, progress or
 * heartbeat, so a stale percent projects late, never early.)
 */
export function projectedFinishAt(task: HintedTask): number | undefined {
  const percent = task.progress?.percent;
  if (task.status !== TaskStatus.Processing || task.startedAt === undefined || percent === undefined || !(percent > 0)) return undefined;
  const ran = task.updatedAt - task.startedAt;
  if (!(ran > 0)) return undefined;
  return task.startedAt + (ran * 100) / Math.min(100, percent);
}

/** The shortest poll hint: a quarter of the initial interval, at least 1 ms. */
export function pollFloorMs(polling: Config['polling']): number {
  return Math.max(1, Math.round(polling.initialIntervalMs * FLOOR_SHARE));
}

/**
 * The next-poll hint for a live task at `now`. Without progress, today's schedule from its age. With
 * progress, aimed at just after the projected finish; once that has passed, backing off again from it
 * (the hint is as long as the task is overdue), so a task stuck near 100 % is not polled at the floor.
 * Never longer than pollAfterMs (the age-only schedule), never shorter than pollFloorMs.
 */
export function taskPollAfterMs(polling: Config['polling'], task: HintedTask, now: number): number {
  const backoff = pollAfterMs(polling, now - task.createdAt);
  const finishAt = projectedFinishAt(task);
  if (finishAt === undefined || task.startedAt === undefined) return backoff;
  const untilAim = finishAt + (finishAt - task.startedAt) * AIM_SLACK - now;
  const target = untilAim > 0 ? untilAim : now - finishAt;
  return Math.min(backoff, Math.max(pollFloorMs(polling), Math.round(target)));
}

/**
 * When a running task may finish, given that its percent can be stale by PROGRESS_STALE_MS: from the
 * projection less that staleness (at most twice it) to the projection. Undefined without a projection.
 */
export function finishWindow(task: HintedTask): { from: number; to: number } | undefined {
  const to = projectedFinishAt(task);
  if (to === undefined || task.progress === undefined) return undefined;
  const width = Math.min(2 * PROGRESS_STALE_MS, (PROGRESS_STALE_MS * 100) / Math.min(100, task.progress.percent));
  return { from: to - width, to };
}

/**
 * How long a long-poll sleeps before its next read, given the pause its own back-off is at. Without
 * a finish window, that pause. Before the window, up to 1 s (progress says the task is far from done),
 * landing on the window's start; inside it, 200 ms, landing on its end; after it, as long as the task
 * has been overdue (≥ 50 ms, ≤ the back-off pause), so reads thin out again for a task stuck near 100 %.
 */
export function waitPauseMs(backoffPauseMs: number, window: { from: number; to: number } | undefined, now: number): number {
  if (window === undefined) return backoffPauseMs;
  if (now < window.from) return Math.ceil(Math.min(WAIT_FAR_MS, window.from - now));
  if (now < window.to) return Math.ceil(Math.min(WAIT_WINDOW_MS, window.to - now));
  return Math.min(backoffPauseMs, Math.max(WAIT_NEAR_MS, Math.ceil(now - window.to)));
}
