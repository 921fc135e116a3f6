import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@mediatag/db/testing';
import { addJobs, createQueues, createRedis, type Queues, redisKeys, schedulePoll } from '@mediatag/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportQueueMetrics } from './bullmq.ts';
import { collectMetrics, PgTotals } from './collect.ts';
import { MetricsRecorder } from './recorder.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const redis = createRedis(REDIS_URL, 'worker');
const prefix = `mt-test-${randomBytes(4).toString('hex')}`;
const keys = redisKeys(prefix);
let db: TestDatabase;
let queues: Queues;

beforeAll(async () => {
  db = await createTestDatabase();
  queues = createQueues(redis, prefix);
  const q = db.pool;
  const { rows } = await q.query(
    `SELECT id, tags->0->>'name' AS tag FROM taxonomies WHERE name = 'media' LIMIT 1`,
  );
  const taxonomy = rows[0] as { id: number; tag: string };
  const files = await q.query<{ id: number }>(
    `INSERT INTO media_files (url, transcript_id, transcript_status, audio_duration_s, cost_usd) VALUES
      ('https://x/1.mp3', 't1', 'completed', 3600, 0.21),
      ('https://x/2.mp3', 't2', 'completed', 1800, 0.105),
      ('https://x/3.mp3', 't3', 'processing', NULL, NULL),
      ('https://x/4.mp3', NULL, 'pending', NULL, NULL)
     RETURNING id`,
  );
  const [f1, f2] = files.rows.map((r) => r.id);
  await q.query(
    `INSERT INTO tag_results (media_file_id, taxonomy_id, status, topic, input_tokens, output_tokens, cost_usd) VALUES
      ($1, $3, 'tagged', $4, 1000, 5, 0.003075), ($2, $3, 'unmatched', NULL, 500, 20, 0.0018)`,
    [f1, f2, taxonomy.id, taxonomy.tag],
  );
  await schedulePoll(queues, 3, 60_000);
  await addJobs(queues, 'transcribe', [{ fileId: 4 }]);
  await redis.zadd(keys.inflight, 1, '3');
  const recorder = new MetricsRecorder({ redis, key: keys.metrics });
  recorder.observeRequest({
    api: 'assemblyai',
    method: 'GET',
    route: '/v2/transcript/:id',
    statusCode: 200,
    durationMs: 80,
  });
  recorder.observeRequest({
    api: 'assemblyai',
    method: 'GET',
    route: '/v2/transcript/:id',
    statusCode: 200,
    durationMs: 300,
  });
  recorder.rateLimited('gateway');
  await recorder.stop();
});

afterAll(async () => {
  await Promise.all([queues.transcribe, queues.poll, queues.tag].map((q) => q.obliterate({ force: true })));
  await queues.close();
  await redis.del(keys.inflight, keys.metrics);
  redis.disconnect();
  await db.drop();
});

describe('collectMetrics', () => {
  it('exports queues, slots, API counters and Postgres totals in Prometheus text', async () => {
    const text = await collectMetrics({ db: db.db, redis, queues });
    const lines = text.split('\n');
    const expected = [
      'mediatag_queue_jobs{queue="poll",state="delayed"} 1',
      'mediatag_queue_jobs{queue="transcribe",state="waiting"} 1',
      'mediatag_queue_jobs{queue="tag",state="active"} 0',
      'mediatag_in_flight_transcripts 1',
      'mediatag_api_requests_total{api="assemblyai",method="GET",route="/v2/transcript/:id",status="200"} 2',
      'mediatag_api_request_duration_seconds_bucket{api="assemblyai",method="GET",route="/v2/transcript/:id",le="0.05"} 0',
      'mediatag_api_request_duration_seconds_bucket{api="assemblyai",method="GET",route="/v2/transcript/:id",le="0.1"} 1',
      'mediatag_api_request_duration_seconds_bucket{api="assemblyai",method="GET",route="/v2/transcript/:id",le="0.5"} 2',
      'mediatag_api_request_duration_seconds_bucket{api="assemblyai",method="GET",route="/v2/transcript/:id",le="+Inf"} 2',
      'mediatag_api_request_duration_seconds_count{api="assemblyai",method="GET",route="/v2/transcript/:id"} 2',
      'mediatag_api_rate_limited_total{api="gateway"} 1',
      'mediatag_files{transcript_status="completed"} 2',
      'mediatag_files{transcript_status="processing"} 1',
      'mediatag_files{transcript_status="pending"} 1',
      'mediatag_files{transcript_status="error"} 0',
      'mediatag_tag_results{status="tagged"} 1',
      'mediatag_tag_results{status="unmatched"} 1',
      'mediatag_tag_results{status="pending"} 0',
      'mediatag_audio_hours_total 1.5',
      'mediatag_llm_tokens_total{direction="input"} 1500',
      'mediatag_llm_tokens_total{direction="output"} 25',
      'mediatag_cost_usd_total{kind="transcription"} 0.315',
    ];
    for (const line of expected) expect(lines, line).toContain(line);
    const sum = lines.find((l) => l.startsWith('mediatag_api_request_duration_seconds_sum'));
    expect(Number(sum?.split(' ').at(-1))).toBeCloseTo(0.38, 6);
    const llm = lines.find((l) => l.startsWith('mediatag_cost_usd_total{kind="llm"}'));
    expect(Number(llm?.split(' ').at(-1))).toBeCloseTo(0.004875, 6);
    // Each family declared once: valid exposition.
    const types = lines.filter((l) => l.startsWith('# TYPE'));
    expect(new Set(types).size).toBe(types.length);
    expect(text).toContain('# TYPE mediatag_api_request_duration_seconds histogram');
  });

  it("merges BullMQ's own per-queue exporter into one valid exposition", async () => {
    const text = await exportQueueMetrics(queues);
    expect(text.match(/^# TYPE bullmq_job_count gauge$/gm)).toHaveLength(1);
    expect(text).toContain('bullmq_job_count{queue="poll", state="delayed"} 1');
    expect(text).toContain('bullmq_job_count{queue="transcribe", state="waiting"} 1');
  });
});

describe('PgTotals', () => {
  it('scans again only after its duty cycle; in between, unfinished counts come fresh from the partial indexes', async () => {
    // Every reading of the clock advances it 10 ms: the scan "takes" a few tens of ms, so the
    // next may come a few seconds (scan time / 0.005) later.
    let clock = 0;
    const totals = new PgTotals(() => (clock += 10));
    const first = await totals.read(db.db.$client);
    expect(totals.scans).toBe(1);
    const count = (rows: { status: string; n: number }[], status: string) =>
      rows.find((r) => r.status === status)?.n ?? 0;
    expect(count(first.files, 'pending')).toBe(1);

    const added = await db.pool.query<{ id: number }>(
      `INSERT INTO media_files (url, transcript_id, transcript_status, audio_duration_s, cost_usd) VALUES
        ('https://x/5.mp3', NULL, 'pending', NULL, NULL), ('https://x/6.mp3', 't6', 'completed', 60, 0.0035)
       RETURNING id`,
    );
    const between = await totals.read(db.db.$client);
    expect(totals.scans).toBe(1);
    expect(count(between.files, 'pending')).toBe(2);
    // Finished counts and sums are the last scan's until the next one.
    expect(count(between.files, 'completed')).toBe(2);
    expect(between.files).toEqual(
      expect.arrayContaining([expect.objectContaining({ status: 'completed', audio_s: 5400 })]),
    );

    clock += 60_000;
    const later = await totals.read(db.db.$client);
    expect(totals.scans).toBe(2);
    expect(count(later.files, 'completed')).toBe(3);
    await db.pool.query('DELETE FROM media_files WHERE id = ANY($1)', [added.rows.map((r) => r.id)]);
  });
});
