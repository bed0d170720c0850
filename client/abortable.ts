/**
 * Waits `ms` milliseconds, or rejects with the signal's reason as soon as it aborts. Uses the
 * global timer, so fake timers drive it in tests.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs one request with a signal of its own that follows `signal`. The SDK never removes the abort
 * listener it adds per request; on a caller's long-lived signal twenty polls would pile up twenty
 * listeners (and Node's leak warning), on a per-request signal they go away with it.
 */
export async function withRequestSignal<T>(
  signal: AbortSignal | undefined,
  run: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  if (!signal) return run(undefined);
  const own = new AbortController();
  const follow = () => own.abort(signal.reason);
  if (signal.aborted) follow();
  else signal.addEventListener('abort', follow, { once: true });
  try {
    return await run(own.signal);
  } finally {
    signal.removeEventListener('abort', follow);
  }
}
