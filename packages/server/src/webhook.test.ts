import { createDb, createPool } from '@mediatag/db';
import { addJobs, jobIds, schedulePoll } from '@mediatag/queue';
import { DelayedError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './server.ts';
import { type Fixture, HEADER, openFixture, SECRET } from './testing.ts';

let f: Fixture;
let server: RunningServer;

beforeAll(async () => {
  f = await openFixture();
  server = await f.serve({
    webhook: { headerName: HEADER, secret: SECRET },
    unknownIdGraceMs: 100,
    recheckMs: 100,
  });
});
afterAll(async () => {
  await f.close();
});

function deliver(body: unknown, headers: Record<string, string> = { [HEADER]: SECRET }) {
  return fetch(`${server.url}/webhooks/assemblyai`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A file in flight whose fallback poll job waits far in the future, as the worker leaves it. */
async function inFlightFile(transcriptId: string): Promise<number> {
  const fileId = await f.addFile(transcriptId, 'processing');
  await schedulePoll(f.queues, fileId, 600_000);
  return fileId;
}

const pollState = (fileId: number) => f.queues.poll.getJobState(jobIds.poll({ fileId }));

describe('POST /webhooks/assemblyai', () => {
  it('refuses a missing or wrong secret with 401 and changes nothing', async () => {
    const fileId = await inFlightFile('tr-auth');
    const body = { transcript_id: 'tr-auth', status: 'completed' };
    for (const headers of [{}, { [HEADER]: 'wrong' }, { [HEADER]: `${SECRET}x` }, { other: SECRET }]) {
      const res = await deliver(body, headers);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'unauthorized' });
    }
    expect(await pollState(fileId)).toBe('delayed');
    const res = await deliver(body);
    expect(res.status).toBe(200);
    expect(await pollState(fileId)).toBe('waiting');
  });

  it('promotes the delayed poll job of a file in flight; repeated deliveries are harmless', async () => {
    const fileId = await inFlightFile('tr-live');
    expect(await pollState(fileId)).toBe('delayed');
    const first = await deliver({ transcript_id: 'tr-live', status: 'completed' });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ ok: true, poll: 'promoted' });
    expect(await pollState(fileId)).toBe('waiting');
    for (let i = 0; i < 3; i++) {
      const again = await deliver({ transcript_id: 'tr-live', status: 'completed' });
      expect(await again.json()).toEqual({ ok: true, poll: 'queued' });
    }
    const jobs = await f.queues.poll.getJobs(['waiting', 'delayed', 'active']);
    expect(jobs.filter((j) => j.id === jobIds.poll({ fileId }))).toHaveLength(1);
  });

  it('adds the poll job when there is none (webhook faster than the worker scheduling it)', async () => {
    const fileId = await f.addFile('tr-nojob', 'queued');
    const res = await deliver({ transcript_id: 'tr-nojob', status: 'error' });
    expect(await res.json()).toEqual({ ok: true, poll: 'added' });
    expect(await pollState(fileId)).toBe('waiting');
  });

  it('answers 200 without touching the queue for a file already final', async () => {
    const fileId = await f.addFile('tr-done', 'completed');
    const res = await deliver({ transcript_id: 'tr-done', status: 'completed' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, already: 'completed' });
    expect(await pollState(fileId)).toBe('unknown');
  });

  it('answers 404 for a transcript this system did not submit, and enqueues nothing', async () => {
    const before = await f.queues.poll.count();
    const res = await deliver({ transcript_id: 'not-ours', status: 'completed' });
    expect(res.status).toBe(404);
    expect(await f.queues.poll.count()).toBe(before);
  });

  it('finds an id saved shortly after the delivery arrived', async () => {
    // The receiver on a pool of its own, so the test sees when its first lookup has ended.
    const pool = createPool(f.db.url, { max: 2 });
    let lookups = 0;
    pool.on('release', () => {
      lookups++;
    });
    try {
      const late = await f.serve({
        db: createDb(pool),
        webhook: { headerName: HEADER, secret: SECRET },
        unknownIdGraceMs: 5000,
      });
      const fileId = await f.addFile(null, 'pending');
      const delivery = fetch(`${late.url}/webhooks/assemblyai`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [HEADER]: SECRET },
        body: JSON.stringify({ transcript_id: 'tr-late', status: 'completed' }),
      });
      // The first lookup found nothing; the id is saved while the receiver waits to look again.
      await expect.poll(() => lookups, { interval: 5 }).toBeGreaterThanOrEqual(1);
      await f.db.pool.query(
        "UPDATE media_files SET transcript_id = 'tr-late', transcript_status = 'queued' WHERE id = $1",
        [fileId],
      );
      expect((await delivery).status).toBe(200);
      expect(lookups).toBeGreaterThanOrEqual(2);
      expect(await pollState(fileId)).toBe('waiting');
    } finally {
      await pool.end();
    }
  });

  it('rejects malformed JSON, bad fields and oversized bodies', async () => {
    expect((await deliver('{"transcript_id": ')).status).toBe(400);
    expect((await deliver({ status: 'completed' })).status).toBe(400);
    expect((await deliver({ transcript_id: 'x', status: 'done' })).status).toBe(400);
    expect((await deliver({ transcript_id: 42, status: 'completed' })).status).toBe(400);
    expect((await deliver([1, 2])).status).toBe(400);
    const big = await deliver({ transcript_id: 'tr-big', status: 'completed', pad: 'x'.repeat(20 * 1024) });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: 'request entity too large' });
  });

  it('looks again at a job that was running when the webhook came and delayed itself', async () => {
    const fileId = await f.addFile('tr-race', 'processing');
    await addJobs(f.queues, 'poll', [{ fileId }]);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let runs = 0;
    const worker = new Worker(
      'poll',
      async (job, token) => {
        if (job.data.fileId !== fileId) return 'other';
        runs++;
        if (runs > 1) return 'done';
        // The GET started before the transcript finished: it says "processing", and the job
        // delays itself by the long fallback interval, after the webhook has come and gone.
        await held;
        await job.moveToDelayed(Date.now() + 600_000, token);
        throw new DelayedError();
      },
      { connection: f.redis, prefix: f.prefix },
    );
    try {
      await expect.poll(() => pollState(fileId)).toBe('active');
      const res = await deliver({ transcript_id: 'tr-race', status: 'completed' });
      expect(await res.json()).toEqual({ ok: true, poll: 'running' });
      release();
      await expect.poll(() => runs, { timeout: 3000 }).toBe(2);
    } finally {
      await worker.close();
    }
  });

  it('does not exist when no secret is configured', async () => {
    const open = await f.serve();
    const res = await fetch(`${open.url}/webhooks/assemblyai`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ transcript_id: 'tr-live', status: 'completed' }),
    });
    expect(res.status).toBe(404);
  });
});
