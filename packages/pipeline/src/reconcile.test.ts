import type { TestDatabase } from '@mediatag/db/testing';
import type { Emulator } from '@mediatag/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reconcile } from './reconcile.ts';
import { openTestbed, type Testbed } from './testing.ts';

let bed: Testbed;
let db: TestDatabase;
let emulator: Emulator;

beforeEach(async () => {
  bed = await openTestbed();
  ({ db, emulator } = bed);
});
afterEach(() => bed.close());

/** Pending files of one batch with the lengths their source stated (null: unknown). */
async function pendingFiles(lengths: Array<number | null>): Promise<Map<number, number | null>> {
  const { batchId } = await bed.mediaBatch('lengths');
  const byId = new Map<number, number | null>();
  for (const [i, seconds] of lengths.entries()) {
    const { rows } = await db.pool.query('INSERT INTO media_files (url) VALUES ($1) RETURNING id', [
      `${emulator.url}/audio/${i}.mp3`,
    ]);
    await db.pool.query(
      'INSERT INTO batch_files (batch_id, media_file_id, episode_duration_s) VALUES ($1, $2, $3)',
      [batchId, rows[0].id, seconds],
    );
    byId.set(Number(rows[0].id), seconds);
  }
  return byId;
}

describe('longest first', () => {
  it('reconcile rebuilds lost transcribe jobs with their lengths, and files are submitted longest first', async () => {
    const lengths = await pendingFiles([120, 3600, null, 900, 2400, 60]);
    const d = await bed.deps({ MAX_IN_FLIGHT: '10', IN_FLIGHT_RESERVE: '0' });
    // Redis knows nothing (flushed, or the enqueue crashed after its commit): reconcile rebuilds.
    const report = await reconcile(d, { full: true });
    expect(report.transcribeJobs).toBe(6);
    bed.start(d, { role: 'transcribe', concurrency: 1, reconcile: false });
    await bed.until(`SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM media_files WHERE submitted_at IS NULL)`);
    const { rows } = await db.pool.query('SELECT id FROM media_files ORDER BY submitted_at, id');
    // Unknown length first (it keeps its place), then the longest.
    expect(rows.map((r) => lengths.get(Number(r.id)))).toEqual([null, 3600, 2400, 900, 120, 60]);
  });
});
