import { createServer, get, type Server } from 'node:http';
import type { LookupAddress } from 'node:dns';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperationError } from '../../lambda/operations/operation.js';
import { classifyAddress, createSsrfGuard, type Resolver } from '../../lambda/operations/ssrf-guard.js';
import { rejectionOf } from '../support/rejection.js';

/** A resolver answering from a fixed table, so no test depends on (or reaches) real DNS. */
function fakeDns(table: Record<string, string[]>, calls: string[] = []): Resolver {
  return async (hostname) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (addresses === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

const noDns: Resolver = async (hostname) => {
  throw new Error(`unexpected DNS lookup of ${hostname}`);
};

const refusal = (promise: Promise<unknown>) => rejectionOf(promise, OperationError);

describe('Function: createSsrfGuard', () => {
  describe('check', () => {
    it.each([
      ['127.0.0.1', 'loopback'],
      ['10.0.0.1', 'private'],
      ['169.254.169.254', 'cloud metadata'],
      ['::1', 'loopback'],
      ['[::1]', 'loopback'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['64:ff9b::10.0.0.1', 'private'],
      ['fd00:ec2::254', 'cloud metadata'],
      ['0.0.0.0', 'unspecified'],
    ])('refuses the IP literal %s as %s, without DNS', async (host, addressClass) => {
      const guard = createSsrfGuard({ port: 443, allowHosts: [], resolve: noDns });

      const err = await refusal(guard.check(host));

      expect(err.retryable).toBe(false);
      expect(err.message).toContain(host);
      expect(err.message).toContain(addressClass);
    });

    it('refuses localhost, which resolves to loopback through the real resolver', async () => {
      const guard = createSsrfGuard({ port: 443, allowHosts: [] });

      const err = await refusal(guard.check('localhost'));

      expect(err.message).toMatch(/localhost \(resolves to (127\.0\.0\.1|::1)\): loopback/);
    });

    it('refuses a name resolving to a private address', async () => {
      const guard = createSsrfGuard({ port: 443, allowHosts: [], resolve: fakeDns({ 'evil.example': ['10.0.0.1'] }) });

      const err = await refusal(guard.check('evil.example'));

      expect(err.retryable).toBe(false);
      expect(err.message).toBe('Refused to connect to evil.example (resolves to 10.0.0.1): private address');
    });

    it('refuses a name when any one of its addresses is non-public', async () => {
      const resolve = fakeDns({ 'mixed.example': ['93.184.216.34', '2606:2800:220:1::1', 'fd00:ec2::254'] });
      const guard = createSsrfGuard({ port: 443, allowHosts: [], resolve });

      const err = await refusal(guard.check('mixed.example'));

      expect(err.message).toContain('cloud metadata');
    });

    it('allows a public IP literal without resolving or connecting anything', async () => {
      const guard = createSsrfGuard({ port: 443, allowHosts: [], resolve: noDns });

      await expect(guard.check('93.184.216.34')).resolves.toEqual([{ address: '93.184.216.34', family: 4 }]);
    });

    it('allows a name whose addresses are all public and returns them', async () => {
      const guard = createSsrfGuard({
        port: 443,
        allowHosts: [],
        resolve: fakeDns({ 'example.com': ['93.184.216.34', '2606:2800:220:1::1'] }),
      });

      const addresses = await guard.check('example.com');

      expect(addresses.map((a) => a.address)).toEqual(['93.184.216.34', '2606:2800:220:1::1']);
    });

    it('lets an allow-listed IP literal through', async () => {
      const guard = createSsrfGuard({ port: 443, allowHosts: ['127.0.0.1'], resolve: noDns });

      await expect(guard.check('127.0.0.1')).resolves.toEqual([{ address: '127.0.0.1', family: 4 }]);
      // The allow-list names one address, not the whole class.
      await expect(guard.check('127.0.0.2')).rejects.toThrow(/loopback/);
    });

    it('lets an allow-listed name through whatever it resolves to, and only that name', async () => {
      const resolve = fakeDns({ 'internal.test': ['10.1.2.3'], 'other.test': ['10.1.2.3', '10.9.9.9'] });
      const guard = createSsrfGuard({ port: 443, allowHosts: ['Internal.Test'], resolve });

      await expect(guard.check('internal.test.')).resolves.toHaveLength(1);
      await expect(guard.check('other.test')).rejects.toThrow(/other\.test \(resolves to 10\.1\.2\.3\)/);
    });

    it('admits a host:port entry on that port only', async () => {
      const allowHosts = ['127.0.0.1:8080', '[::1]:9090', 'internal.test:8443'];
      const resolve = fakeDns({ 'internal.test': ['10.1.2.3'] });
      const on = (port: number) => createSsrfGuard({ port, allowHosts, resolve });

      await expect(on(8080).check('127.0.0.1')).resolves.toHaveLength(1);
      await expect(on(9090).check('[::1]')).resolves.toHaveLength(1);
      await expect(on(8443).check('internal.test')).resolves.toHaveLength(1);
      await expect(on(8081).check('127.0.0.1')).rejects.toThrow('Refused to connect to 127.0.0.1: loopback address');
      await expect(on(8080).check('[::1]')).rejects.toThrow(/loopback/);
      await expect(on(443).check('internal.test')).rejects.toThrow(/internal\.test \(resolves to 10\.1\.2\.3\): private/);
    });

    it("refuses the stack's own ports on a non-public address, whatever the allow-list says", async () => {
      const guard = createSsrfGuard({
        port: 4567,
        allowHosts: ['127.0.0.1', '127.0.0.1:4567', 'db.test'],
        stackPorts: [4567],
        resolve: fakeDns({ 'db.test': ['127.0.0.1'] }),
      });

      await expect(guard.check('127.0.0.1')).rejects.toThrow(
        "Refused to connect to 127.0.0.1 port 4567: a port of this server's own services",
      );
      await expect(guard.check('db.test')).rejects.toThrow(/db\.test \(resolves to 127\.0\.0\.1\) port 4567/);
      // A public address on the same port number is another machine.
      await expect(
        createSsrfGuard({ port: 4567, allowHosts: [], stackPorts: [4567], resolve: noDns }).check('93.184.216.34'),
      ).resolves.toHaveLength(1);
    });

    it('fails an unknown name as not retryable and a resolver hiccup as retryable', async () => {
      const hiccup: Resolver = async () => {
        throw Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' });
      };

      const unknown = await refusal(createSsrfGuard({ port: 443, allowHosts: [], resolve: fakeDns({}) }).check('nowhere.test'));
      const transient = await refusal(createSsrfGuard({ port: 443, allowHosts: [], resolve: hiccup }).check('flaky.test'));

      expect(unknown.retryable).toBe(false);
      expect(transient.retryable).toBe(true);
    });
  });

  describe('lookup', () => {
    function lookupOnce(lookup: ReturnType<typeof createSsrfGuard>['lookup'], host: string, options: object) {
      return new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number }>((resolve) =>
        lookup(host, options, (err, address, family) => resolve({ err, address, family })),
      );
    }

    it('answers with exactly the checked addresses, in both node:net calling styles', async () => {
      const guard = createSsrfGuard({
        port: 443,
        allowHosts: [],
        resolve: fakeDns({ 'example.com': ['93.184.216.34', '2606:2800:220:1::1'] }),
      });

      const all = await lookupOnce(guard.lookup, 'example.com', { all: true });
      const one = await lookupOnce(guard.lookup, 'example.com', {});
      const v6 = await lookupOnce(guard.lookup, 'example.com', { family: 6 });

      expect(all.address).toEqual([
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800:220:1::1', family: 6 },
      ]);
      expect([one.address, one.family]).toEqual(['93.184.216.34', 4]);
      expect([v6.address, v6.family]).toEqual(['2606:2800:220:1::1', 6]);
    });

    it('checks every resolution, so a name rebound to a private address after a first check is refused', async () => {
      let answers = [['93.184.216.34'], ['169.254.169.254']];
      const rebinding: Resolver = async () => {
        const [next, ...rest] = answers;
        answers = rest;
        return next!.map((address) => ({ address, family: 4 }));
      };
      const guard = createSsrfGuard({ port: 443, allowHosts: [], resolve: rebinding });

      await guard.check('rebind.example');
      const connect = await lookupOnce(guard.lookup, 'rebind.example', { all: true });

      expect(connect.err).toBeInstanceOf(OperationError);
      expect(connect.err?.message).toContain('cloud metadata');
    });

    describe('with node:http', () => {
      let server: Server;
      let port: number;
      let requests = 0;

      beforeAll(async () => {
        server = createServer((_req, res) => {
          requests += 1;
          res.end('reached');
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        port = (server.address() as AddressInfo).port;
      });

      afterAll(async () => {
        await new Promise((resolve) => server.close(resolve));
      });

      function fetchVia(guard: ReturnType<typeof createSsrfGuard>, host: string) {
        return new Promise<string>((resolve, reject) => {
          get({ host, port, path: '/', lookup: guard.lookup, agent: false }, (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (c: string) => (body += c));
            res.on('end', () => resolve(body));
          }).on('error', reject);
        });
      }

      it('connects the socket to the address the guard resolved, not to what real DNS says', async () => {
        const guard = createSsrfGuard({ port: 443, allowHosts: ['service.test'], resolve: fakeDns({ 'service.test': ['127.0.0.1'] }) });
        const before = requests;

        await expect(fetchVia(guard, 'service.test')).resolves.toBe('reached');
        expect(requests).toBe(before + 1);
      });

      it('fails the request before connecting when the guard refuses', async () => {
        const guard = createSsrfGuard({ port: 443, allowHosts: [], resolve: fakeDns({ 'service.test': ['127.0.0.1'] }) });
        const before = requests;

        await expect(fetchVia(guard, 'service.test')).rejects.toThrow(/service\.test \(resolves to 127\.0\.0\.1\): loopback/);
        expect(requests).toBe(before);
      });
    });
  });
});

describe('Function: classifyAddress', () => {
  it.each([
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.1.1', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['224.0.0.251', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'cloud metadata'],
    ['64:ff9b::a9fe:a9fe', 'cloud metadata'],
    ['64:ff9b::192.168.0.1', 'private'],
  ])('classes %s as %s', (address, addressClass) => {
    expect(classifyAddress(address)).toBe(addressClass);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:2800:220:1::1',
    '::ffff:93.184.216.34',
    '64:ff9b::93.184.216.34',
  ])('finds %s public', (address) => {
    expect(classifyAddress(address)).toBeUndefined();
  });
});
