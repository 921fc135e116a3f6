// Abusive inputs for the chaos suite, generated on the fly.

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/** Garbage lines `mediatag enqueue` must reject (never blank or `#`, which are skipped). */
const GARBAGE: (string | Buffer)[] = [
  'not a url at all',
  'ftp://files.example.com/episode.mp3',
  'javascript:alert(1)',
  'http://',
  'https://exa mple.com/with space.mp3',
  '/relative/path/episode.mp3',
  'mailto:someone@example.com',
  `https://example.com/${'a'.repeat(2100)}.mp3`,
  Buffer.from([0xff, 0xfe, 0xfd, 0x41, 0x42]),
  Buffer.from([0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f, 0xc3, 0x28, 0x2e, 0x6d, 0x70, 0x33]),
  'data:audio/mp3;base64,AAAA',
  '<html><body>oops</body></html>',
];

/**
 * Writes `lines` lines: every tenth is garbage, the rest distinct valid URLs.
 * Returns how many of each were written.
 */
export async function writeAbuseFile(
  path: string,
  lines: number,
  base: string,
): Promise<{ valid: number; garbage: number }> {
  const out = createWriteStream(path);
  let valid = 0;
  let garbage = 0;
  let chunk: Buffer[] = [];
  for (let i = 0; i < lines; i++) {
    if (i % 10 === 9) {
      const g = GARBAGE[garbage % GARBAGE.length] as string | Buffer;
      chunk.push(typeof g === 'string' ? Buffer.from(g) : g, Buffer.from('\n'));
      garbage++;
    } else {
      chunk.push(Buffer.from(`${base}/audio/abuse-${valid}.mp3\n`));
      valid++;
    }
    if (chunk.length >= 20_000) {
      if (!out.write(Buffer.concat(chunk))) await once(out, 'drain');
      chunk = [];
    }
  }
  out.write(Buffer.concat(chunk));
  out.end();
  await once(out, 'finish');
  return { valid, garbage };
}

/** Writes `bytes` random bytes. */
export async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  for (let left = bytes; left > 0; left -= 1 << 20) {
    if (!out.write(randomBytes(Math.min(left, 1 << 20)))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
