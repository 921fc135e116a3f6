import type { TestDatabase } from '@mediatag/db/testing';
import type { Emulator } from '@mediatag/emulator';
import { SAMPLES } from '@mediatag/emulator/samples';
import { schedulePoll } from '@mediatag/queue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkerDeps } from './deps.ts';
import { openTestbed, statementsSent, type Testbed } from './testing.ts';

let bed: Testbed;
let db: TestDatabase;
let emulator: Emulator;

beforeEach(async () => {
  // No processing time: a transcript is completed by its first check.
  bed = await openTestbed({ timeScale: 0 });
  ({ db, emulator } = bed);
});
afterEach(() => bed.close());

const sample = (n: number) => {
  const media = SAMPLES.filter((s) => s.taxonomy === 'media');
  return `${emulator.url}/samples/${media[n % media.length]?.id}.mp3`;
};

/** A file of a `media` batch, submitted to the emulator and saved as a user's run would have it. */
async function submitted(d: WorkerDeps, n: number): Promise<{ fileId: number; transcriptId: string }> {
  const { batchId } = await bed.mediaBatch(`b${n}`);
  const url = sample(n);
  const t = await d.aai.submitTranscript({ audio_url: url });
  const { rows } = await db.pool.query(
    `INSERT INTO media_files (url, transcript_id, transcript_status, submitted_at)
     VALUES ($1, $2, 'queued', now()) RETURNING id`,
    [url, t.id],
  );
  const fileId = Number(rows[0].id);
  await db.pool.query('INSERT INTO batch_files (batch_id, media_file_id) VALUES ($1, $2)', [batchId, fileId]);
  await d.inFlight.acquire(fileId);
  return { fileId, transcriptId: t.id };
}

describe('the check of a submitted transcript', () => {
  it('knows the transcript from its submission: completes without reading the file first', async () => {
    const d = await bed.deps({ POLL_SWEEP_MS: '0' });
    const { fileId, transcriptId } = await submitted(d, 0);
    const sent = statementsSent(d);
    await schedulePoll(d.queues, fileId, 0, { transcriptId, submittedAt: Date.now() });
    bed.start(d, { role: 'transcribe', concurrency: 1, reconcile: false });
    await bed.until(`SELECT 1 FROM media_files WHERE id = ${fileId} AND transcript_status = 'completed'`);
    expect(sent).not.toContain('submissions/get_file');
    expect(sent).toContain('transcripts/complete');
    // The slot is free and the file's tag job is queued.
    await expect.poll(() => d.redis.zscore(d.keys.inflight, String(fileId))).toBeNull();
    expect(await d.queues.tag.count()).toBe(1);
    expect(emulator.stats().getsByTranscript.meanPerCompletedTranscript).toBe(1);
  });

  it("a check whose transcript is no longer the file's reads the file and checks the current one", async () => {
    const d = await bed.deps({ POLL_SWEEP_MS: '0' });
    const { fileId, transcriptId: old } = await submitted(d, 1);
    // The file was given another transcript since (as `retry --resubmit` does).
    const again = await d.aai.submitTranscript({ audio_url: sample(1) });
    await db.pool.query(`UPDATE media_files SET transcript_id = $2 WHERE id = $1`, [fileId, again.id]);
    const sent = statementsSent(d);
    await schedulePoll(d.queues, fileId, 0, { transcriptId: old, submittedAt: Date.now() });
    bed.start(d, { role: 'transcribe', concurrency: 1, reconcile: false });
    await bed.until(`SELECT 1 FROM media_files WHERE id = ${fileId} AND transcript_status = 'completed'`);
    expect(sent).toContain('submissions/get_file');
    const { rows } = await db.pool.query(
      `SELECT m.transcript_id, (SELECT array_agg(transcript_id) FROM cost_ledger l WHERE l.media_file_id = m.id) AS billed
         FROM media_files m WHERE m.id = $1`,
      [fileId],
    );
    // Completed with the file's own transcript, billed once, for that one.
    expect(rows[0]).toEqual({ transcript_id: again.id, billed: [again.id] });
  });
});
