/** Which `Host` and `Origin` headers are accepted: the spec's defence against DNS rebinding. */
export interface OriginPolicy {
  /**
   * Host header values accepted, with or without a port (`localhost`, `127.0.0.1:3000`). Set it on
   * local servers; on AWS, API Gateway has already routed by host.
   * @default undefined — any host
   */
  allowedHosts?: readonly string[];
  /** Origins accepted besides the request's own (e.g. a browser-based inspector's). @default [] */
  allowedOrigins?: readonly string[];
}

/** The Host names a server bound to the loopback interface answers to (any port). */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** Why a request was refused, as a message for the caller. */
export type OriginCheck = { ok: true } | { ok: false; message: string };

/**
 * Refuses a request whose `Host` is not an allowed one, or whose `Origin` is present and is neither
 * the request's own origin nor an allowed one. A missing `Origin` (any non-browser client) passes.
 */
export function checkOrigin(headers: Readonly<Record<string, string | undefined>>, policy: OriginPolicy): OriginCheck {
  const host = headers.host?.trim().toLowerCase();
  if (policy.allowedHosts && policy.allowedHosts.length > 0) {
    if (!host || !hostAllowed(host, policy.allowedHosts)) {
      return { ok: false, message: `Forbidden: Host header ${JSON.stringify(headers.host ?? '')} is not served here` };
    }
  }
  const origin = headers.origin?.trim();
  if (origin === undefined || origin === '') return { ok: true };
  if (policy.allowedOrigins?.some((allowed) => allowed.toLowerCase() === origin.toLowerCase())) return { ok: true };
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return { ok: false, message: `Forbidden: Origin ${JSON.stringify(origin)} is malformed` };
  }
  if (host && originHost === host) return { ok: true };
  return { ok: false, message: `Forbidden: requests from origin ${JSON.stringify(origin)} are not accepted` };
}

function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const hostname = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return allowed.some((entry) => {
    const candidate = entry.trim().toLowerCase();
    return candidate === host || candidate === hostname;
  });
}
