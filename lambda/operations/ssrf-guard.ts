import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { parseHostPort } from '../shared/host-port.js';
import { OperationError } from './operation.js';

/** Resolves a hostname to every address it has, as `dns.lookup(host, { all: true })` does. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

/** Who may be reached despite resolving to a non-public address, and how names are resolved. */
export interface SsrfGuardOptions {
  /** The port the request connects to: allow-list entries and the stack's own ports depend on it. */
  readonly port: number;
  /** `host` or `host:port` entries exempt from the check (`config.http.allowHosts`). */
  readonly allowHosts: readonly string[];
  /** Ports refused on every non-public address whatever the allow-list says (`config.http.stackPorts`). */
  readonly stackPorts?: readonly number[];
  /** @default node:dns `lookup` with `all: true` */
  readonly resolve?: Resolver;
}

/** The checks an outbound request makes before its socket exists. */
export interface SsrfGuard {
  /**
   * Resolves a host and returns its addresses.
   * @throws OperationError (not retryable) when any address is non-public and the host is not allowed.
   */
  check(hostname: string): Promise<LookupAddress[]>;
  /** A node:http `lookup` option that hands the socket exactly the addresses `check` approved. */
  lookup: LookupFunction;
}

// Most specific class first: the first match names the address in the refusal message.
const ADDRESS_CLASSES: ReadonlyArray<{ name: string; v4?: readonly string[]; v6?: readonly string[] }> = [
  { name: 'cloud metadata', v4: ['169.254.169.254/32'], v6: ['fd00:ec2::254/128'] },
  { name: 'loopback', v4: ['127.0.0.0/8'], v6: ['::1/128'] },
  { name: 'unspecified', v4: ['0.0.0.0/8'], v6: ['::/128'] },
  { name: 'private', v4: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] },
  { name: 'carrier-grade NAT', v4: ['100.64.0.0/10'] },
  { name: 'link-local', v4: ['169.254.0.0/16'], v6: ['fe80::/10'] },
  { name: 'unique-local', v6: ['fc00::/7'] },
  { name: 'multicast', v4: ['224.0.0.0/4'], v6: ['ff00::/8'] },
  { name: 'broadcast', v4: ['255.255.255.255/32'] },
  {
    name: 'reserved',
    // Besides 240/4: IETF protocol assignments and benchmarking nets, deprecated site-local and
    // IPv4-compatible IPv6, and local-use NAT64 (RFC 8215), which may translate to anything in the VPC.
    v4: ['240.0.0.0/4', '192.0.0.0/24', '198.18.0.0/15'],
    v6: ['fec0::/10', '::/96', '64:ff9b:1::/48'],
  },
];

// IPv6 prefixes whose last 32 bits are the IPv4 address the packet ends up at (IPv4-mapped, and
// well-known NAT64): every IPv4 rule is repeated under them, so ::ffff:127.0.0.1 reads as loopback.
const V4_EMBEDDING_PREFIXES = ['::ffff:', '64:ff9b::'];

const CLASSES: ReadonlyArray<readonly [string, BlockList]> = ADDRESS_CLASSES.map(({ name, v4 = [], v6 = [] }) => {
  const list = new BlockList();
  for (const [net, bits] of v4.map(splitCidr)) {
    list.addSubnet(net, bits, 'ipv4');
    for (const prefix of V4_EMBEDDING_PREFIXES) list.addSubnet(prefix + net, 96 + bits, 'ipv6');
  }
  for (const [net, bits] of v6.map(splitCidr)) list.addSubnet(net, bits, 'ipv6');
  return [name, list] as const;
});

function splitCidr(cidr: string): [string, number] {
  const [net, bits] = cidr.split('/') as [string, string];
  return [net, Number(bits)];
}

// URL hostnames keep IPv6 brackets, which isIP rejects: left on, [::1] would be taken for a name. The
// zone index (fe80::1%eth0) goes too, so messages and the allow-list see the address itself.
function bare(address: string): string {
  return address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
}

/** Names the non-public class an IP address belongs to, or returns undefined for a public address. */
export function classifyAddress(address: string): string | undefined {
  const ip = bare(address);
  const family = isIP(ip);
  if (family === 0) return undefined;
  return CLASSES.find(([, list]) => list.check(ip, family === 4 ? 'ipv4' : 'ipv6'))?.[0];
}

/** Whether a URL hostname is an IP literal (brackets allowed): node connects to those without a lookup. */
export function isIpLiteral(hostname: string): boolean {
  return isIP(bare(hostname)) !== 0;
}

const defaultResolve: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Builds the guard for one outbound request of the http_request operation. */
export function createSsrfGuard(options: SsrfGuardOptions): SsrfGuard {
  const resolve = options.resolve ?? defaultResolve;
  const { port } = options;
  const ownPort = options.stackPorts?.includes(port) ?? false;
  // Only the entries that admit this port matter; an allowed IP literal also admits any name
  // resolving to it: that name reaches nothing the literal could not.
  const allowedNames = new Set<string>();
  const allowedAddresses = new BlockList();
  for (const entry of options.allowHosts.map(parseHostPort)) {
    if (entry === undefined || (entry.port !== undefined && entry.port !== port)) continue;
    const family = isIP(entry.host);
    if (family === 0) allowedNames.add(entry.host);
    else allowedAddresses.addAddress(entry.host, family === 4 ? 'ipv4' : 'ipv6');
  }
  const isAllowed = (host: string, ip: string, family: number) =>
    allowedNames.has(host) || allowedAddresses.check(ip, family === 4 ? 'ipv4' : 'ipv6');

  async function check(hostname: string): Promise<LookupAddress[]> {
    const host = normalizeHost(hostname);
    const literal = isIP(host);
    const addresses = literal !== 0 ? [{ address: host, family: literal }] : await resolveOrFail(resolve, host);
    for (const { address, family } of addresses) {
      const ip = bare(address);
      const refusedAs = classifyAddress(ip);
      if (refusedAs === undefined) continue;
      const via = ip === host ? '' : ` (resolves to ${ip})`;
      // This deployment's own database, queue and endpoint: reachable through nothing an allow-list says.
      if (ownPort)
        throw new OperationError(`Refused to connect to ${hostname}${via} port ${port}: a port of this server's own services`, {
          retryable: false,
        });
      if (!isAllowed(host, ip, family))
        throw new OperationError(`Refused to connect to ${hostname}${via}: ${refusedAs} address`, { retryable: false });
    }
    return addresses;
  }

  // Resolving and checking in the same call leaves no window for a second, rebound DNS answer.
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    check(hostname).then(
      (addresses) => answer(addresses, lookupOptions, callback),
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };

  return { check, lookup };
}

function normalizeHost(host: string): string {
  return bare(host.trim().toLowerCase()).replace(/\.$/, '');
}
async function resolveOrFail(resolve: Resolver, host: string): Promise<LookupAddress[]> {
  try {
    const addresses = await resolve(host);
    if (addresses.length === 0) throw Object.assign(new Error(`${host} has no addresses`), { code: 'ENOTFOUND' });
    return addresses;
  } catch (err) {
    // A missing name stays missing on retry; a resolver hiccup (EAI_AGAIN and the like) may not.
    const code = (err as NodeJS.ErrnoException).code;
    throw new OperationError(`Could not resolve ${host}: ${code ?? (err as Error).message}`, {
      retryable: code !== 'ENOTFOUND' && code !== 'ENODATA',
      cause: err,
    });
  }
}

function answer(addresses: LookupAddress[], options: LookupOptions, callback: Parameters<LookupFunction>[2]): void {
  const wanted = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
  const usable = wanted ? addresses.filter((a) => a.family === wanted) : addresses;
  const first = usable[0];
  if (first === undefined) {
    callback(Object.assign(new Error(`No IPv${wanted} address`), { code: 'ENOTFOUND' }), '');
  } else if (options.all) {
    callback(null, usable);
  } else {
    callback(null, first.address, first.family);
  }
}
