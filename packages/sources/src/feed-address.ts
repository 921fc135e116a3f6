import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

// Ranges a feed URL from the internet has no business reaching: the machine itself, the
// cloud metadata service (169.254.169.254), the LAN and the provider's NAT. BlockList also
// matches IPv4-mapped IPv6 forms (::ffff:127.0.0.1, ::ffff:7f00:1) against the IPv4 rules.
const RANGES: [reason: string, family: 'ipv4' | 'ipv6', prefix: string, bits: number][] = [
  ['unspecified', 'ipv4', '0.0.0.0', 8],
  ['unspecified', 'ipv6', '::', 128],
  ['loopback', 'ipv4', '127.0.0.0', 8],
  ['loopback', 'ipv6', '::1', 128],
  ['link-local', 'ipv4', '169.254.0.0', 16],
  ['link-local', 'ipv6', 'fe80::', 10],
  ['private', 'ipv4', '10.0.0.0', 8],
  ['private', 'ipv4', '172.16.0.0', 12],
  ['private', 'ipv4', '192.168.0.0', 16],
  ['unique-local', 'ipv6', 'fc00::', 7],
  ['carrier-grade NAT', 'ipv4', '100.64.0.0', 10],
  // Deprecated IPv4-compatible form (::a.b.c.d): some stacks still route it to the IPv4 host.
  ['IPv4-compatible', 'ipv6', '::', 96],
];

const LISTS = RANGES.map(([reason, family, prefix, bits]) => {
  const list = new BlockList();
  list.addSubnet(prefix, bits, family);
  return { reason, list };
});

/**
 * Why a feed may not be fetched from this IP address (`loopback`, `private`, …), or null when
 * it is a public address. Anything that is not an IP address is refused as `not an IP address`.
 */
export function forbiddenAddress(address: string): string | null {
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const { reason, list } of LISTS) if (list.check(address, type)) return reason;
  return null;
}

/** Raised by the guarded lookup (and the IP-literal check) before any connection is made. */
export class ForbiddenAddressError extends Error {
  override readonly name = 'ForbiddenAddressError';
  readonly code = 'ERR_FEED_FORBIDDEN_ADDRESS';

  constructor(
    readonly host: string,
    readonly address: string,
    readonly reason: string,
  ) {
    super(
      host === address
        ? `${address} is a ${reason} address`
        : `host ${host} resolves to ${address}, a ${reason} address`,
    );
  }
}

/** Decides per resolved address: a reason to refuse it, or null to connect. */
export type AddressCheck = (address: string) => string | null;

/**
 * A `net.connect` lookup that resolves the host itself and fails when any address it gets is
 * refused by `check`, so the socket connects only to an address that was checked: a DNS
 * answer cannot change between the check and the connection. `resolve` is dns.lookup.
 */
export function guardedLookup(check: AddressCheck, resolve: typeof dnsLookup = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    // Happy Eyeballs asks for every address (`all: true`); plain connects ask for one.
    resolve(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      for (const { address } of addresses) {
        const reason = check(address);
        if (reason !== null) return callback(new ForbiddenAddressError(hostname, address, reason), '', 0);
      }
      const [firstAddress] = addresses;
      if (options.all) return (callback as unknown as AllCallback)(null, addresses);
      if (!firstAddress)
        return callback(Object.assign(new Error(`${hostname}: no address`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, firstAddress.address, firstAddress.family);
    });
  };
}

type AllCallback = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;
