/** A seeded generator, so a failing run can be repeated with FAULTS_SEED. */
export interface Random {
  (): number;
  /** true with probability p. */
  chance(p: number): boolean;
  /** A uniform number in [min, max). */
  between(min: number, max: number): number;
}

/** mulberry32: tiny, fast and good enough to pick faults. */
export function seeded(seed: number): Random {
  let state = seed >>> 0;
  const next = (() => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }) as Random;
  next.chance = (p) => next() < p;
  next.between = (min, max) => min + next() * (max - min);
  return next;
}
