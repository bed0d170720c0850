/** How wait() spaces its polls (by default 1 s, ×2, capped at 30 s, like the server's poll_after_ms defaults). */
export interface PollSchedule {
  /** The first interval, in ms. @default 1000 */
  readonly initialMs: number;
  /** Each interval is the previous one times this. @default 2 */
  readonly multiplier: number;
  /** No interval, the server's hint included, exceeds this (before jitter), in ms. @default 30000 */
  readonly maxMs: number;
  /** No server hint is followed below this, in ms: a guard against a server that says "poll now" forever. @default 500 */
  readonly minMs: number;
  /** Every interval is stretched by a random factor in [1, 1 + jitter). 0 turns jitter off. @default 0.2 */
  readonly jitter: number;
}

/** The default schedule: 1 s, 2 s, 4 s, 8 s, 16 s, then 30 s, each stretched by up to 20 %. */
export const DEFAULT_POLL_SCHEDULE: Readonly<PollSchedule> = Object.freeze({
  initialMs: 1_000,
  multiplier: 2,
  maxMs: 30_000,
  minMs: 500,
  jitter: 0.2,
});

/** The schedule's own interval before poll number `index + 1` (0-based), capped, without jitter. */
export function scheduledInterval(schedule: PollSchedule, index: number): number {
  return Math.min(schedule.maxMs, schedule.initialMs * schedule.multiplier ** Math.max(0, index));
}

/** What the next pause depends on. */
export interface NextPollInput {
  schedule: PollSchedule;
  /** How many intervals came before this one (0 for the pause after the first answer). */
  index: number;
  /** The server's `poll_after_ms` (or MCP `pollInterval`) from the last answer; it wins over the schedule. */
  hintMs?: number | null;
  /** How long the last request took; a long poll the server held counts as time already waited. */
  heldMs?: number;
  /** A source of numbers in [0, 1). @default Math.random */
  random?: () => number;
}

/**
 * The pause before the next poll, in ms: the interval d is the server's hint clamped to
 * [minMs, maxMs] when there is one, else the schedule's; jitter stretches it to a value in
 * [d, d × (1 + jitter)) — never earlier than the server asked; intervals run start to start, so the
 * time the last request took (a long poll's hold included) is subtracted, down to 0.
 */
export function nextPollDelay({ schedule, index, hintMs, heldMs = 0, random = Math.random }: NextPollInput): number {
  const interval =
    typeof hintMs === 'number' && Number.isFinite(hintMs)
      ? Math.min(schedule.maxMs, Math.max(schedule.minMs, hintMs))
      : scheduledInterval(schedule, index);
  const jittered = interval * (1 + schedule.jitter * random());
  return Math.max(0, Math.round(jittered - heldMs));
}

/**
 * A schedule with some fields overridden, checked.
 * @throws RangeError when a value is out of range (non-positive intervals, multiplier < 1, jitter outside [0, 1])
 */
export function pollSchedule(overrides: Partial<PollSchedule> = {}): PollSchedule {
  const schedule = { ...DEFAULT_POLL_SCHEDULE, ...overrides };
  const { initialMs, multiplier, maxMs, minMs, jitter } = schedule;
  if (!(initialMs > 0) || !(maxMs >= initialMs) || !(minMs >= 0) || !(multiplier >= 1) || !(jitter >= 0 && jitter <= 1)) {
    throw new RangeError(
      `invalid poll schedule ${JSON.stringify(schedule)}: need initialMs > 0, maxMs ≥ initialMs, minMs ≥ 0, multiplier ≥ 1, 0 ≤ jitter ≤ 1`,
    );
  }
  return schedule;
}
