// Workloads: URL lists the emulator understands, written to files the CLI reads.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { SAMPLES } from '@mediatag/emulator/samples';

const MEDIA = SAMPLES.filter((s) => s.taxonomy === 'media').map((s) => s.id);

/** N distinct sample URLs of the `media` taxonomy (a known topic each, tiny transcripts). */
export function sampleUrls(emulatorUrl: string, n: number): string[] {
  return Array.from(
    { length: n },
    (_, i) => `${emulatorUrl}/samples/${MEDIA[i % MEDIA.length]}.mp3?copy=${Math.floor(i / MEDIA.length)}`,
  );
}

/**
 * N distinct generated-audio URLs: the emulator gives each a deterministic 30-3600 s duration
 * (15% clips, 40% calls of 3-15 min, 45% episodes of 15-60 min), so processing times are realistic.
 */
export function audioUrls(emulatorUrl: string, n: number, offset = 0): string[] {
  return Array.from({ length: n }, (_, i) => `${emulatorUrl}/audio/${offset + i}.mp3`);
}

/** Streams lines to a file (a million lines never sit in one string). */
export async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  let buffer: string[] = [];
  for (const line of lines) {
    buffer.push(line);
    if (buffer.length >= 10_000) {
      if (!out.write(`${buffer.join('\n')}\n`)) await once(out, 'drain');
      buffer = [];
    }
  }
  if (buffer.length) out.write(`${buffer.join('\n')}\n`);
  out.end();
  await once(out, 'finish');
}
