import { spawn } from 'node:child_process';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { SAMPLES, samplePayload } from '@mediatag/emulator/samples';
import { type LocalS3, startLocalS3 } from '@mediatag/s3/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

// Support calls uploaded as objects: the emulator fetches each presigned URL and hears the
// sample whose payload it downloaded, so a right topic proves the bytes came from the bucket.
const calls = SAMPLES.filter((s) => s.taxonomy === 'support-calls');
const BIN = new URL('../bin/mediatag.js', import.meta.url).pathname;

let h: Harness | undefined;
let s3: LocalS3 | undefined;
afterEach(async () => {
  await h?.close();
  await s3?.close();
  h = undefined;
  s3 = undefined;
});

async function putCalls(store: LocalS3, keys: string[], from = 0) {
  for (let i = 0; i < keys.length; i += 32) {
    await Promise.all(
      keys.slice(i, i + 32).map((key, j) => {
        const sample = calls[(from + i + j) % calls.length];
        if (!sample) throw new Error('no sample');
        return store.put('calls', key, samplePayload(sample, 'wav'), 'audio/wav');
      }),
    );
  }
}

const callKey = (i: number) => `2026-11-30/agent-${i % 7}/call-${String(i).padStart(5, '0')}.wav`;

describe('enqueue s3://BUCKET/PREFIX/ (s3rver on loopback, emulator fetching presigned URLs)', () => {
  it('lists across pages, keeps media, maps the key pattern, honours --since and --max-files', async () => {
    s3 = await startLocalS3(['calls']);
    h = await startHarness({ env: s3.env });
    await putCalls(
      s3,
      Array.from({ length: 1003 }, (_, i) => callKey(i)),
    );
    await s3.put('calls', '2026-11-30/agent-1/notes.json', '{}', 'application/json');
    await s3.put('calls', '2026-11-30/agent-2/raw-recording', Buffer.from('RIFF'), 'audio/wav');
    await s3.put('calls', '2026-11-29/agent-1/call-old.wav', 'x', 'audio/wav');
    const pattern = '{date}/{agent}/{call_id}.wav';
    const run = await h.cli([
      'enqueue',
      's3://calls/2026-11-30/',
      '--batch',
      'day',
      '--key-pattern',
      pattern,
    ]);
    expect(run.stderr).toContain('s3://calls/2026-11-30/: 1,005 objects in 2 pages: 1,004 media');
    expect(run.stderr).toContain('skipped 1 not audio or video');
    // The extension-less object was kept by its Content-Type, but its key does not fit the pattern.
    expect(run.stderr).toContain(
      'rejected s3://calls/2026-11-30/agent-2/raw-recording: key does not match --key-pattern',
    );
    expect(run.stdout).toContain('added 1003, already known 0, rejected 1');
    const { rows } = await h.db.pool.query(
      `SELECT m.url, m.source, m.etag, bf.metadata FROM batch_files bf JOIN media_files m ON m.id = bf.media_file_id
       WHERE bf.metadata->>'call_id' = 'call-00008'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].url).toMatch(/^s3:\/\/calls\/2026-11-30\/agent-1\/call-00008\.wav#[0-9a-f]{32}$/);
    expect(rows[0].source).toBe('s3');
    expect(rows[0].url.endsWith(`#${rows[0].etag}`)).toBe(true);
    expect(rows[0].metadata).toMatchObject({ date: '2026-11-30', agent: 'agent-1', call_id: 'call-00008' });
    const byAgent = await h.db.pool.query(
      "SELECT count(*)::int AS n FROM tagged_files WHERE batch = 'day' AND metadata->>'agent' = 'agent-3'",
    );
    expect(byAgent.rows[0].n).toBe(143);

    // --max-files stops the listing; --since skips what was not modified since.
    const capped = await h.cli(['enqueue', 's3://calls/', '--batch', 'capped', '--max-files', '10']);
    expect(capped.stdout).toContain('added 10,');
    expect(capped.stderr).toContain('stopped at --max-files 10');
    const future = await h.cli(['enqueue', 's3://calls/', '--batch', 'none', '--since', '2999-01-01']);
    expect(future.stderr).toContain('1,006 older than --since');
    expect(future.code).toBe(2);
    const recent = await h.cli(['enqueue', 's3://calls/2026-11-29/', '--batch', 'recent', '--since', '1h']);
    expect(recent.stdout).toContain('added 1,');

    // Options that only mean something for s3:// are refused elsewhere.
    expect((await h.cli(['enqueue', 'x.txt', '--batch', 'b', '--since', '1h'])).stderr).toContain(
      '--since applies to s3:// sources only',
    );
  });

  it('end to end: every object tagged from its presigned URL; re-runs add nothing, new or changed objects add one each', async () => {
    s3 = await startLocalS3(['calls']);
    h = await startHarness({ env: { ...s3.env, TAG_BATCH_SIZE: '10' } });
    const keys = Array.from({ length: 1001 }, (_, i) => callKey(i));
    await putCalls(s3, keys);
    const args = ['enqueue', 's3://calls/2026-11-30/', '--batch', 'calls', '--taxonomy', 'support-calls'];
    const first = await h.cli(args);
    expect(first.stderr).toContain('1,001 objects in 2 pages');
    expect(first.stdout).toContain('added 1001, already known 0');
    await h.startWorkers();
    await h.waitFinal('calls', 240_000);
    const harness = h;
    const check = async (n: number) => {
      const { rows } = await harness.db.pool.query(
        `SELECT bf.metadata->>'s3_key' AS key, r.topic, m.transcript_status, m.failed_transcript_ids
           FROM batch_files bf JOIN batches b ON b.id = bf.batch_id JOIN media_files m ON m.id = bf.media_file_id
           LEFT JOIN tag_results r ON r.media_file_id = m.id AND r.taxonomy_id = b.taxonomy_id
          WHERE b.name = 'calls'`,
      );
      expect(rows).toHaveLength(n);
      for (const row of rows) {
        const i = Number(/call-(\d+)\.wav$/.exec(row.key)?.[1]);
        expect(row.transcript_status).toBe('completed');
        expect(row.failed_transcript_ids).toEqual([]);
        expect({ key: row.key, topic: row.topic }).toEqual({
          key: row.key,
          topic: calls[i % calls.length]?.expectedTopic,
        });
      }
    };
    await check(1001);
    expect(h.emulator.stats().submissions).toBe(1001);

    const again = await h.cli(args);
    expect(again.stdout).toContain('added 0, already known 1001');

    // One new object and one rewritten (new ETag: new audio) add one file each.
    await putCalls(s3, [callKey(1001)], 1001);
    await putCalls(s3, [callKey(0)], 3);
    const more = await h.cli(args);
    expect(more.stdout).toContain('added 2, already known 1000');
    await h.waitFinal('calls', 60_000);
    const { rows: versions } = await h.db.pool.query(
      "SELECT count(DISTINCT etag)::int AS n FROM media_files WHERE url LIKE 's3://calls/2026-11-30/agent-0/call-00000.wav#%'",
    );
    expect(versions[0].n).toBe(2);
    expect(h.emulator.stats().submissions).toBe(1003);
  }, 300_000);

  it('an expired or refused presigned URL is signed again and resubmitted once; no signature leaks', async () => {
    s3 = await startLocalS3(['calls']);
    // One slot and 6 real seconds a transcript: whichever good file goes second waits in
    // AssemblyAI's queue past its 4-second URL, as a backlog would past a short
    // S3_PRESIGN_EXPIRES_S. A failed download gives the slot back within a second, so the
    // fresh URL of the resubmission is fetched well inside its 4 seconds.
    h = await startHarness({
      env: { ...s3.env, S3_PRESIGN_EXPIRES_S: '4' },
      emulator: {
        concurrency: 1,
        timeScale: 1000,
        queuedSeconds: 0.2,
        processing: { baseSeconds: 6, realTimeFactor: 0, jitter: 0 },
      },
    });
    await putCalls(s3, [callKey(1), callKey(2), callKey(3)]);
    const run = await h.cli(['enqueue', 's3://calls/', '--batch', 'short', '--taxonomy', 'support-calls']);
    expect(run.stdout).toContain('added 3,');
    // Gone before any worker signs it: AssemblyAI's download gets a 404.
    await s3.client.send(new DeleteObjectCommand({ Bucket: 'calls', Key: callKey(3) }));
    const worker = spawn(process.execPath, [BIN, 'worker', 'all'], {
      env: { ...h.env, LOG_LEVEL: 'debug' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let logs = '';
    worker.stderr?.on('data', (c: Buffer) => {
      logs += c.toString();
    });
    try {
      await h.waitFinal('short', 120_000);
    } finally {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
    const { rows } = await h.db.pool.query(
      `SELECT bf.metadata->>'s3_key' AS key, m.transcript_status, m.transcript_id, m.failed_transcript_ids,
              m.download_retries, m.error, m.error_kind
         FROM batch_files bf JOIN media_files m ON m.id = bf.media_file_id ORDER BY key`,
    );
    const byKey = new Map(rows.map((r) => [r.key as string, r]));
    const deleted = byKey.get(callKey(3));
    expect(deleted).toMatchObject({ transcript_status: 'error', error_kind: 'api', download_retries: 1 });
    expect(deleted?.failed_transcript_ids).toHaveLength(1);
    expect(deleted?.error).toMatch(/^Download error, unable to download http:\/\/127\.0\.0\.1:\d+\/calls\//);
    const done = [byKey.get(callKey(1)), byKey.get(callKey(2))];
    for (const r of done) expect(r?.transcript_status).toBe('completed');
    // Exactly one of the two waited past its URL's expiry, failed (not billed) and succeeded on a fresh URL.
    expect(done.map((r) => r?.failed_transcript_ids.length).sort()).toEqual([0, 1]);
    expect(done.map((r) => r?.download_retries).sort()).toEqual([0, 1]);

    // Every audio_url AssemblyAI was sent, with its signature: none may appear anywhere of ours.
    const ids = rows.flatMap((r) => [r.transcript_id, ...r.failed_transcript_ids]).filter(Boolean);
    expect(ids).toHaveLength(5);
    const signatures: string[] = [];
    for (const id of ids) {
      const res = await fetch(`${h.emulator.url}/v2/transcript/${id}`, {
        headers: { authorization: 'emulator-key' },
      });
      const body = (await res.json()) as { audio_url: string };
      const sig = new URL(body.audio_url).searchParams.get('X-Amz-Signature');
      expect(sig).toMatch(/^[0-9a-f]{64}$/);
      signatures.push(sig ?? '');
    }
    expect(new Set(signatures).size).toBe(5);
    const dump = await h.db.pool.query(
      `SELECT (SELECT json_agg(m) FROM media_files m)::text || (SELECT json_agg(b) FROM batch_files b)::text
              || coalesce((SELECT json_agg(r) FROM tag_results r)::text, '') AS text`,
    );
    const csv = await h.cli(['results', '--batch', 'short', '--format', 'csv']);
    expect(csv.code).toBe(0);
    expect(logs).toContain('"level":20');
    expect(logs).toContain('signing again and resubmitting');
    for (const [where, text] of [
      ['logs', logs],
      ['postgres', dump.rows[0].text as string],
      ['csv', csv.stdout],
    ] as const) {
      for (const sig of signatures)
        expect({ where, leaked: text.includes(sig) }).toEqual({ where, leaked: false });
      expect({ where, credential: text.includes('X-Amz-Credential=S3RVER') }).toEqual({
        where,
        credential: false,
      });
    }
  }, 180_000);
});
