/** Epoch milliseconds; injected everywhere so tests backdate instead of sleeping. */
export type Clock = () => number;

/** The real clock. */
export const systemClock: Clock = () => Date.now();
