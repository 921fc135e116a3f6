import { createDb, createPool } from '@mediatag/db';
import { addJobs, createRedis } from '@mediatag/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from './server.ts';
import { type Fixture, openFixture } from './testing.ts';

let f: Fixture;
let server: RunningServer;

beforeAll(async () => {
  f = await openFixture();
  server = await f.serve();
});
afterAll(async () => {
  await f.close();
});

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('GET /healthz', () => {
  it('is ok when Postgres and Redis answer', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, postgres: 'ok', redis: 'ok' });
  });

  it('answers 503 naming a dead Redis', async () => {
    const dead = createRedis('redis://127.0.0.1:1', 'producer');
    try {
      const s = await f.serve({ redis: dead });
      const res = await fetch(`${s.url}/healthz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({
        ok: false,
        postgres: 'ok',
        redis: expect.not.stringMatching(/^ok$/),
      });
    } finally {
      dead.disconnect();
    }
  });

  it('answers 503 naming a closed Postgres pool', async () => {
    const pool = createPool(f.db.url, { max: 1 });
    await pool.end();
    const s = await f.serve({ db: createDb(pool) });
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ok: false, postgres: 'error', redis: 'ok' });
  });
});

describe('GET /metrics', () => {
  it('serves the pipeline and BullMQ metrics as Prometheus text', async () => {
    await addJobs(f.queues, 'transcribe', [{ fileId: 1 }]);
    await f.addFile('tr-m', 'completed');
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('mediatag_queue_jobs{queue="transcribe",state="waiting"} 1');
    expect(text).toContain('mediatag_files{transcript_status="completed"} 1');
    expect(text).toContain('mediatag_in_flight_transcripts 0');
    expect(text).toContain('bullmq_job_count{queue="transcribe", state="waiting"} 1');
    const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
  });
});

describe('routing', () => {
  it('answers unknown routes with a JSON 404', async () => {
    const res = await fetch(`${server.url}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not found: GET /nope' });
  });

  it('has no dashboard unless asked', async () => {
    expect((await fetch(`${server.url}/admin/queues`)).status).toBe(404);
  });
});

describe('queue dashboard', () => {
  it('requires basic auth when credentials are configured', async () => {
    const s = await f.serve({ dashboard: { user: 'admin', password: 'correct-horse' } });
    const none = await fetch(`${s.url}/admin/queues`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm="mediatag"/);
    const wrong = await fetch(`${s.url}/admin/queues`, {
      headers: { authorization: basic('admin', 'nope') },
    });
    expect(wrong.status).toBe(401);
    const page = await fetch(`${s.url}/admin/queues`, {
      headers: { authorization: basic('admin', 'correct-horse') },
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const api = await fetch(`${s.url}/admin/queues/api/queues`, {
      headers: { authorization: basic('admin', 'correct-horse') },
    });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(['poll', 'tag', 'transcribe']);
    expect(body.queues.every((q) => !q.readOnlyMode)).toBe(true);
  });

  it('is read-only when it has no credentials', async () => {
    const s = await f.serve({ dashboard: {} });
    const api = await fetch(`${s.url}/admin/queues/api/queues`);
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: { readOnlyMode: boolean }[] };
    expect(body.queues.every((q) => q.readOnlyMode)).toBe(true);
  });
});
