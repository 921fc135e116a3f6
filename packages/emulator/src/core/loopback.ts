import { isIP } from 'node:net';

/**
 * True for hosts the emulator may fetch from: loopback only. Anything else would be the
 * internet, which the emulator never reaches; such URLs are "heard" as generated speech.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}
