import { isIP } from 'node:net';

/**
 * An allow-list entry (HTTP_ALLOW_HOSTS): `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6
 * literal, lower-cased without a trailing dot; undefined when malformed.
 */
export function parseHostPort(entry: string): { host: string; port?: number } | undefined {
  const text = entry.trim().toLowerCase();
  const match = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text) ?? /^([^:[\]]+)(?::(\d{1,5}))?$/.exec(text);
  if (!match) return isIP(text) === 6 ? { host: text } : undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65_535)) return undefined;
  return { host: match[1]!.replace(/\.$/, ''), ...(port !== undefined && { port }) };
}
