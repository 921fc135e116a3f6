import type { LookupAddress, lookup } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { ForbiddenAddressError, forbiddenAddress, guardedLookup } from './feed-address.ts';

describe('forbiddenAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['10.0.0.5', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:192.168.0.10', 'private'],
    ['::ffff:100.64.1.1', 'carrier-grade NAT'],
    ['::127.0.0.1', 'IPv4-compatible'],
    ['localhost', 'not an IP address'],
  ])('refuses %s as %s', (address, reason) => {
    expect(forbiddenAddress(address)).toBe(reason);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.15.255.255',
    '172.32.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '169.253.255.255',
    '11.0.0.1',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    'fec0::1',
  ])('allows the public address %s', (address) => {
    expect(forbiddenAddress(address)).toBeNull();
  });
});

/** A dns.lookup stand-in that answers from a table: no packet leaves the machine. */
function fakeDns(table: Record<string, LookupAddress[]>): typeof lookup {
  return ((hostname: string, _options: unknown, callback: (e: Error | null, a: LookupAddress[]) => void) => {
    const answer = table[hostname];
    if (answer) callback(null, answer);
    else callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
  }) as unknown as typeof lookup;
}

function run(hostname: string, all: boolean, table: Record<string, LookupAddress[]>) {
  const lookupFn = guardedLookup(forbiddenAddress, fakeDns(table));
  return new Promise<{ error: Error | null; result: unknown }>((resolve) => {
    lookupFn(hostname, { all }, (error: Error | null, address: unknown, family?: number) =>
      resolve({ error, result: all ? address : { address, family } }),
    );
  });
}

describe('guardedLookup', () => {
  const table: Record<string, LookupAddress[]> = {
    'metadata.test': [{ address: '169.254.169.254', family: 4 }],
    'intranet.test': [{ address: '10.1.2.3', family: 4 }],
    // A public name with one private answer among public ones is refused too.
    'mixed.test': [
      { address: '93.184.216.34', family: 4 },
      { address: 'fd00::5', family: 6 },
    ],
    'public.test': [
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ],
  };

  it.each([
    ['metadata.test', '169.254.169.254', 'link-local'],
    ['intranet.test', '10.1.2.3', 'private'],
    ['mixed.test', 'fd00::5', 'unique-local'],
  ])('fails the connection to %s (%s, %s)', async (host, address, reason) => {
    for (const all of [false, true]) {
      const { error } = await run(host, all, table);
      expect(error).toBeInstanceOf(ForbiddenAddressError);
      expect(error).toMatchObject({ host, address, reason });
      expect(error?.message).toBe(`host ${host} resolves to ${address}, a ${reason} address`);
    }
  });

  it('passes public answers through in the shape net.connect asked for', async () => {
    expect(await run('public.test', false, table)).toEqual({
      error: null,
      result: { address: '93.184.216.34', family: 4 },
    });
    expect(await run('public.test', true, table)).toEqual({ error: null, result: table['public.test'] });
  });

  it('passes DNS failures through unchanged', async () => {
    const { error } = await run('nowhere.test', false, table);
    expect(error).toMatchObject({ code: 'ENOTFOUND' });
  });
});
