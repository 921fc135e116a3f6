// Assertions every chaos run ends with: all final, nothing paid twice, one result per pair.
import { SAMPLES } from '@mediatag/emulator/samples';
import { expect } from 'vitest';
import type { Stack } from '../lib/stack.ts';

const expected = new Map(SAMPLES.map((s) => [s.id, s.expectedTopic]));

/** Every file final and tagged; no duplicate submission; exactly one tag result per (file, taxonomy). */
export async function assertAllDone(stack: Stack, batch: string, files: number): Promise<void> {
  const p = await stack.progress(batch);
  expect(p).toMatchObject({ total: files, final: files, failed: 0 });
  expect(p.tagged + p.unmatched).toBe(files);

  const stats = stack.emulator.stats();
  // A file whose transcript id was saved is never submitted again, whatever was killed.
  expect(stats.submissionsByAudioUrl.duplicates).toEqual({});
  expect(stats.submissions).toBe(files);

  const { rows } = await stack.pool.query(
    `SELECT count(*)::int AS results, count(DISTINCT (media_file_id, taxonomy_id))::int AS pairs,
            count(*) FILTER (WHERE status = 'tagged')::int AS tagged FROM tag_results`,
  );
  expect(rows[0]).toMatchObject({ results: files, pairs: files });

  // Samples have a known topic: a result stored under chaos is still the right one.
  const { rows: wrong } = await stack.pool.query(
    `SELECT url, topic FROM tagged_files WHERE batch = $1 AND tag_status = 'tagged'`,
    [batch],
  );
  const mismatched = (wrong as { url: string; topic: string }[]).filter((r) => {
    const id = /\/samples\/([\w-]+)\.mp3/.exec(r.url)?.[1];
    return id !== undefined && expected.get(id) !== r.topic;
  });
  expect(mismatched).toEqual([]);
}

/** Files that hold a transcript id in Postgres but were submitted more than once (should be none). */
export async function duplicatesWithSavedIds(stack: Stack): Promise<string[]> {
  const dup = Object.keys(stack.emulator.stats().submissionsByAudioUrl.duplicates);
  if (dup.length === 0) return [];
  const { rows } = await stack.pool.query(
    'SELECT url FROM media_files WHERE url = ANY($1) AND transcript_id IS NOT NULL',
    [dup],
  );
  return rows.map((r) => String(r.url));
}
