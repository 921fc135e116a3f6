import { createHash } from 'node:crypto';

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: tiny, fast, good enough for fault rolls and jitter, and repeatable from a seed
 * (Math.random is not), so a failing benchmark run can be replayed.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over a string: a cheap 32-bit hash for per-id decisions (not for security). */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A uniform number in [0, 1) fixed by the given key. */
export function unitFromKey(key: string): number {
  return seededRandom(hash32(key))();
}

/** A PRNG seeded from the sha256 of a string, for content that must not collide across similar URLs. */
export function randomFromText(text: string): Random {
  const digest = createHash('sha256').update(text).digest();
  return seededRandom(digest.readUInt32LE(0) ^ digest.readUInt32LE(4));
}

/** A PRNG seeded from a hex digest (e.g. an upload's sha256). */
export function randomFromHex(hex: string): Random {
  return seededRandom(Number.parseInt(hex.slice(0, 8), 16) ^ Number.parseInt(hex.slice(8, 16), 16));
}

/** Pick one element with a PRNG; the list must not be empty. */
export function pickOne<T>(items: readonly T[], random: Random): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError('pickOne needs a non-empty list');
  return item;
}
