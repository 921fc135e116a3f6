import { isLoopbackHost } from '../core/loopback.ts';
import { randomFromHex, randomFromText } from '../core/random.ts';
import { sampleForPath } from '../samples/index.ts';
import { generateAudio } from './text-generator.ts';

/** What an upload left behind: its size and digest, never its bytes. */
export interface UploadRecord {
  id: string;
  bytes: number;
  sha256: string;
}

/** What the emulated speech model "hears" at an audio URL. */
export interface AudioContent {
  text: string;
  durationSeconds: number;
  /** Production's download error when the URL cannot be fetched (`/broken/` paths). */
  failure: string | null;
  /** A loopback URL fetched when the job starts (as production does); text and duration come from it. */
  download?: string | null;
}

// A 128 kbit/s MP3 is 16,000 bytes a second: the usual size of podcast audio.
const BYTES_PER_SECOND = 16_000;

/** Production's message when it cannot fetch an audio URL. */
export function downloadError(audioUrl: string): string {
  return `Download error, unable to download ${audioUrl}. Please make sure the file exists and is accessible from the internet.`;
}

/**
 * Decide the content behind an audio URL: a built-in sample (any host, any query string), an
 * upload made to this emulator, a deliberately broken URL, a URL on another server of this
 * machine (fetched when the job starts, e.g. a presigned S3 URL), or deterministic generated
 * speech for anything else (the emulator never reaches the internet).
 */
export function resolveAudio(
  audioUrl: string,
  pathname: string,
  uploads: Map<string, UploadRecord>,
  ownOrigin = '',
): AudioContent {
  if (pathname.includes('/broken/')) {
    return { text: '', durationSeconds: 0, failure: downloadError(audioUrl) };
  }
  const sample = sampleForPath(pathname);
  if (sample) return { text: sample.text, durationSeconds: sample.durationSeconds, failure: null };
  const uploadId = /\/cdn\/upload\/([^/]+)$/.exec(pathname)?.[1];
  const upload = uploadId === undefined ? undefined : uploads.get(uploadId);
  if (upload) {
    const { text } = generateAudio(randomFromHex(upload.sha256));
    const durationSeconds = Math.max(1, Math.ceil(upload.bytes / BYTES_PER_SECOND));
    return { text, durationSeconds, failure: null };
  }
  const url = new URL(audioUrl);
  if (url.origin !== ownOrigin && isLoopbackHost(url.hostname)) {
    return { text: '', durationSeconds: 0, failure: null, download: audioUrl };
  }
  // `?wpm=150` on a generated URL: speech as long as its duration (a realistic transcript size).
  const wpm = Number(/[?&]wpm=(\d+)/.exec(audioUrl)?.[1] ?? 0);
  return { ...generateAudio(randomFromText(audioUrl), wpm > 0 ? wpm : undefined), failure: null };
}

/**
 * The length of the speech the emulator generates for a plain audio URL (not a sample, an
 * upload or a loopback download): what a source listing those files would state, so a
 * benchmark can write the CSV or feed a real archive comes with.
 */
export function generatedDurationSeconds(audioUrl: string): number {
  return generateAudio(randomFromText(audioUrl)).durationSeconds;
}
