import { createHash } from 'node:crypto';
import { request } from 'undici';
import { randomFromHex } from '../core/random.ts';
import { sampleById } from '../samples/index.ts';
import { type AudioContent, downloadError } from './content.ts';
import { generateAudio } from './text-generator.ts';

// A 128 kbit/s MP3 is 16,000 bytes a second: the usual size of podcast audio.
const BYTES_PER_SECOND = 16_000;
// What samplePayload() writes first: a fetched copy of a sample is heard as that sample.
const SAMPLE_LABEL = /mediatag emulator sample ([A-Za-z0-9_-]+) \(/;
const TIMEOUT_MS = 15_000;

/**
 * When a SigV4 presigned URL stops working: `X-Amz-Date` (`20261130T010203Z`) plus
 * `X-Amz-Expires` seconds, in epoch ms; null for a URL that is not presigned.
 */
export function presignedUntil(url: URL): number | null {
  const date = url.searchParams.get('X-Amz-Date');
  const expires = url.searchParams.get('X-Amz-Expires');
  if (date === null || expires === null) return null;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  if (!m || !/^\d+$/.test(expires)) return 0;
  const signed = Date.UTC(
    +(m[1] ?? 0),
    +(m[2] ?? 1) - 1,
    +(m[3] ?? 1),
    +(m[4] ?? 0),
    +(m[5] ?? 0),
    +(m[6] ?? 0),
  );
  return signed + Number(expires) * 1000;
}

/**
 * Fetches an audio URL as production does when a job starts: a presigned URL past its
 * expiry, a refused connection, a timeout or a non-2xx answer (403, 404) fail the transcript
 * with production's download error. The bytes are only counted and hashed: their size sets
 * the duration and their digest the generated words, unless they are a sample's payload.
 */
export async function downloadAudio(audioUrl: string, now = Date.now()): Promise<AudioContent> {
  const failed: AudioContent = { text: '', durationSeconds: 0, failure: downloadError(audioUrl) };
  const until = presignedUntil(new URL(audioUrl));
  if (until !== null && until < now) return failed;
  try {
    const res = await request(audioUrl, { headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS });
    if (res.statusCode < 200 || res.statusCode > 299) {
      await res.body.dump();
      return failed;
    }
    const hash = createHash('sha256');
    let bytes = 0;
    let head = '';
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      if (head.length < 256) head += buf.subarray(0, 256).toString('latin1');
      hash.update(buf);
      bytes += buf.length;
    }
    if (bytes === 0) return failed;
    const sample = sampleById(SAMPLE_LABEL.exec(head)?.[1] ?? '');
    if (sample) return { text: sample.text, durationSeconds: sample.durationSeconds, failure: null };
    const { text } = generateAudio(randomFromHex(hash.digest('hex')));
    return { text, durationSeconds: Math.max(1, Math.ceil(bytes / BYTES_PER_SECOND)), failure: null };
  } catch {
    return failed;
  }
}
