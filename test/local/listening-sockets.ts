import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A TCP socket in the LISTEN state: its address (127.0.0.1, ::1, 0.0.0.0, ...) and port. */
export interface ListeningSocket {
  address: string;
  port: number;
}

/**
 * The TCP sockets this process listens on, read from Linux's /proc: /proc/net/tcp{,6} list every
 * socket in the network namespace, /proc/self/fd tells which of them (by inode) are ours.
 */
export function listeningSockets(): ListeningSocket[] {
  const ours = ownSocketInodes();
  return [...readTable('/proc/net/tcp'), ...readTable('/proc/net/tcp6')]
    .filter((row) => row.state === LISTEN && ours.has(row.inode))
    .map(({ address, port }) => ({ address, port }));
}

const LISTEN = '0A';

function ownSocketInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // The fd closed between listing and reading it (or was readdir's own); not a listener.
    }
  }
  return inodes;
}

function readTable(path: string) {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .slice(1) // the header
    .map((line) => {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
      const [, local, , state, , , , , , inode] = line.trim().split(/\s+/);
      const [hexAddress, hexPort] = local!.split(':');
      return { address: decodeAddress(hexAddress!), port: parseInt(hexPort!, 16), state: state!, inode: inode! };
    });
}

/** /proc writes an address as 32-bit words in host (little-endian) byte order. */
function decodeAddress(hex: string): string {
  const words = hex.match(/.{8}/g)!.map((word) => Buffer.from(word, 'hex').reverse());
  const bytes = Buffer.concat(words);
  if (bytes.length === 4) return [...bytes].join('.');
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16));
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1); // URL compresses it: ::1
}
