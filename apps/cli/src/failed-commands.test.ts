// The rule for commands that write: Postgres and Redis (whichever the command uses) are both
// reached before its first write, so a command that fails on either changed nothing, and
// running it again once both answer gives what one successful run gives.
import { writeFile } from 'node:fs/promises';
import { SAMPLES } from '@mediatag/emulator/samples';
import type { RedisClient } from '@mediatag/queue';
import { createQueues, createRedis, type Queues } from '@mediatag/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, sampleCopies, startHarness } from './harness.ts';
import { runCli } from './testing.ts';

const NO_REDIS = 'redis://127.0.0.1:1';
const NO_POSTGRES = 'postgres://postgres@127.0.0.1:1/mediatag';
const REDIS_DOWN = /^mediatag: cannot connect to Redis at 127\.0\.0\.1:1: .*\n$/;
const POSTGRES_DOWN = /^mediatag: cannot connect to Postgres at 127\.0\.0\.1:1\/mediatag: .*\n$/;

let h: Harness;
let redis: RedisClient;
let queues: Queues;
let urls: string[];

beforeAll(async () => {
  h = await startHarness();
  redis = createRedis(h.env.REDIS_URL as string, 'producer');
  queues = createQueues(redis, h.prefix);
  urls = sampleCopies(
    h.emulator.url,
    SAMPLES.slice(0, 3).map((s) => s.id),
    1,
  );
});
afterAll(async () => {
  await queues.close();
  redis.disconnect();
  await h.close();
});

const noRedis = (): Record<string, string> => ({ ...h.env, REDIS_URL: NO_REDIS });
const noPostgres = (): Record<string, string> => ({ ...h.env, DATABASE_URL: NO_POSTGRES });
const run = (argv: string[], env: Record<string, string>, stdin = '') => runCli(argv, env, stdin);

async function sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return (await h.db.pool.query(text, params)).rows as T[];
}

/** Jobs of this test's queues, by queue. */
async function jobCounts() {
  const count = async (q: { getJobCounts(): Promise<Record<string, number>> }) =>
    Object.values(await q.getJobCounts()).reduce((a, b) => a + Number(b), 0);
  return {
    transcribe: await count(queues.transcribe),
    poll: await count(queues.poll),
    tag: await count(queues.tag),
  };
}

describe('a command that fails changes nothing; running it again converges', () => {
  it('enqueue: no batch, no file, no job without Redis or Postgres; then one run does it all', async () => {
    const down = await run(['enqueue', '-', '--batch', 'nored'], noRedis(), urls.join('\n'));
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(REDIS_DOWN);
    const pgDown = await run(['enqueue', '-', '--batch', 'nored'], noPostgres(), urls.join('\n'));
    expect(pgDown.code).toBe(1);
    expect(pgDown.stderr).toMatch(POSTGRES_DOWN);
    expect(await sql('SELECT name FROM batches')).toEqual([]);
    expect(await sql('SELECT id FROM media_files')).toEqual([]);
    expect(await jobCounts()).toEqual({ transcribe: 0, poll: 0, tag: 0 });

    const ok = await h.cli(['enqueue', '-', '--batch', 'nored'], urls.join('\n'));
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('added 3');
    expect(await sql('SELECT name FROM batches')).toEqual([{ name: 'nored' }]);
    expect((await jobCounts()).transcribe).toBe(3);
  });

  it('taxonomy add needs only Postgres: saved without Redis, nothing saved without Postgres', async () => {
    const file = `/tmp/${h.db.name}-tags.json`;
    await writeFile(file, JSON.stringify({ Money: 'Prices and bills.', Other: 'Anything else.' }));
    const pgDown = await run(['taxonomy', 'add', 'money', file], noPostgres());
    expect(pgDown.code).toBe(1);
    expect(pgDown.stderr).toMatch(POSTGRES_DOWN);
    expect(await sql(`SELECT version FROM taxonomies WHERE name = 'money'`)).toEqual([]);
    const ok = await run(['taxonomy', 'add', 'money', file], noRedis());
    expect(ok).toMatchObject({ code: 0, stdout: 'taxonomy money version 1 saved (2 tags)\n' });
    const again = await run(['taxonomy', 'add', 'money', file], noRedis());
    expect(again.stdout).toContain('nothing changed');
    expect(await sql(`SELECT version FROM taxonomies WHERE name = 'money'`)).toEqual([{ version: 1 }]);
  });

  it('retag: the batch keeps its taxonomy without Redis; the second run switches it and queues', async () => {
    await sql(`UPDATE media_files SET transcript_id = 'tr-' || id, transcript_status = 'completed'`);
    const taxonomy = () =>
      sql<{ name: string }>(
        `SELECT t.name FROM batches b JOIN taxonomies t ON t.id = b.taxonomy_id WHERE b.name = 'nored'`,
      );
    for (const env of [noRedis(), noPostgres()]) {
      const down = await run(['retag', '--batch', 'nored', '--taxonomy', 'support-calls'], env);
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(env.REDIS_URL === NO_REDIS ? REDIS_DOWN : POSTGRES_DOWN);
      expect(await taxonomy()).toEqual([{ name: 'media' }]);
      expect((await jobCounts()).tag).toBe(0);
    }
    const ok = await h.cli(['retag', '--batch', 'nored', '--taxonomy', 'support-calls']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('3 transcripts queued for tagging');
    expect(await taxonomy()).toEqual([{ name: 'support-calls' }]);
    expect((await jobCounts()).tag).toBe(3);
  });

  it('retry: failed files stay failed without Redis or Postgres; the second run re-queues them', async () => {
    await sql(`UPDATE media_files SET transcript_status = 'error', error_kind = 'api', error = 'boom'`);
    const before = await sql(
      'SELECT id, transcript_id, transcript_status, error_kind FROM media_files ORDER BY id',
    );
    const queued = await jobCounts();
    for (const env of [noRedis(), noPostgres()]) {
      const down = await run(['retry', '--batch', 'nored'], env);
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(env.REDIS_URL === NO_REDIS ? REDIS_DOWN : POSTGRES_DOWN);
      expect(
        await sql('SELECT id, transcript_id, transcript_status, error_kind FROM media_files ORDER BY id'),
      ).toEqual(before);
      expect(await jobCounts()).toEqual(queued);
    }
    await queues.transcribe.obliterate({ force: true });
    const ok = await h.cli(['retry', '--batch', 'nored']);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toContain('3 files to transcribe again');
    expect(await sql(`SELECT DISTINCT transcript_status FROM media_files`)).toEqual([
      { transcript_status: 'pending' },
    ]);
    expect((await jobCounts()).transcribe).toBe(3);
  });

  it('reconcile: adds nothing without Redis or Postgres; the second run adds the missing jobs', async () => {
    await queues.transcribe.obliterate({ force: true });
    for (const env of [noRedis(), noPostgres()]) {
      const down = await run(['reconcile'], env);
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(env.REDIS_URL === NO_REDIS ? REDIS_DOWN : POSTGRES_DOWN);
      expect((await jobCounts()).transcribe).toBe(0);
    }
    const ok = await h.cli(['reconcile']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('3 transcribe');
    expect((await jobCounts()).transcribe).toBe(3);
  });

  it('migrate needs only Postgres: up to date without Redis, exit 1 without Postgres', async () => {
    const pgDown = await run(['migrate'], noPostgres());
    expect(pgDown.code).toBe(1);
    expect(pgDown.stderr).toMatch(/^mediatag: cannot connect to Postgres at 127\.0\.0\.1:1\/postgres: .*\n$/);
    const ok = await run(['migrate'], noRedis());
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^database is up to date \(\d+ migrations applied\)\n$/);
  });
});
