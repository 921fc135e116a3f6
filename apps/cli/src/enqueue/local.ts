import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AssemblyAIClient } from '@mediatag/assemblyai';
import { type Db, recordUpload, urlOfContent } from '@mediatag/db';
import { toError } from '@mediatag/errors';

// AssemblyAI accepts uploads up to 2.2 GB (its documented /v2/upload limit).
const MAX_UPLOAD_BYTES = 2.2e9;

/** sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Where a local file ended up: the URL AssemblyAI will read, or why it was not sent. */
export type LocalResult =
  | { ok: true; url: string; uploaded: boolean; bytes: number }
  | { ok: false; reason: string };

/**
 * Turns a local file into a media row: identical content (same sha256) is uploaded and
 * paid for once, whatever its path or name; otherwise the file is streamed to /v2/upload
 * and its upload_url becomes the file's URL.
 */
export async function resolveLocalFile(
  db: Db,
  aai: AssemblyAIClient,
  path: string,
  sameRun: Map<string, Promise<LocalResult>> = new Map(),
): Promise<LocalResult> {
  const absolute = resolve(path);
  const info = await stat(absolute);
  if (info.size === 0) return { ok: false, reason: 'empty file' };
  if (info.size > MAX_UPLOAD_BYTES)
    return { ok: false, reason: 'larger than 2.2 GB (AssemblyAI upload limit)' };
  const hash = await sha256File(absolute);
  // Two copies of one recording in the same run: the second waits for the first's upload.
  const earlier = sameRun.get(hash);
  if (earlier !== undefined) {
    const result = await earlier;
    return result.ok ? { ...result, uploaded: false } : result;
  }
  const mine = uploadOnce(db, aai, absolute, hash, info.size);
  sameRun.set(hash, mine);
  return mine;
}

async function uploadOnce(
  db: Db,
  aai: AssemblyAIClient,
  absolute: string,
  hash: string,
  bytes: number,
): Promise<LocalResult> {
  const known = await urlOfContent(db, hash);
  if (known !== undefined) return { ok: true, url: known, uploaded: false, bytes };
  let uploadUrl: string;
  try {
    uploadUrl = (await aai.upload(absolute)).upload_url;
  } catch (error) {
    return { ok: false, reason: `upload failed: ${toError(error).message}` };
  }
  if (await recordUpload(db, { uploadUrl, localPath: absolute, contentHash: hash }))
    return { ok: true, url: uploadUrl, uploaded: true, bytes };
  // Another enqueue uploaded the same content meanwhile: use its row (an unused upload costs nothing).
  const winner = await urlOfContent(db, hash);
  if (winner === undefined) return { ok: false, reason: 'could not record the upload' };
  return { ok: true, url: winner, uploaded: false, bytes };
}

/** Runs `fn` over items with at most `limit` at once, yielding results as they finish. */
export async function* mapBounded<T, R>(
  items: AsyncIterable<T>,
  limit: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const running = new Map<number, Promise<{ key: number; value: R }>>();
  let next = 0;
  for await (const item of items) {
    const key = next++;
    running.set(
      key,
      fn(item).then((value) => ({ key, value })),
    );
    if (running.size >= limit) {
      const done = await Promise.race(running.values());
      running.delete(done.key);
      yield done.value;
    }
  }
  while (running.size > 0) {
    const done = await Promise.race(running.values());
    running.delete(done.key);
    yield done.value;
  }
}
