import type { Config } from '../shared/config.js';

/**
 * The next-poll hint for a live task of a given age: the initial interval, multiplied each time the
 * age passes the current interval, capped — so a caller that follows it polls about log2(age) times.
 */
export function pollAfterMs(polling: Config['polling'], ageMs: number): number {
  let interval = polling.initialIntervalMs;
  while (interval * polling.multiplier <= ageMs && interval < polling.maxIntervalMs) interval *= polling.multiplier;
  return Math.min(Math.round(interval), polling.maxIntervalMs);
}
