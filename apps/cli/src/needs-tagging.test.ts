// "This file still needs a tag from this taxonomy" is defined once, by needs_tagging
// (migrations/0011_needs_tagging.sql). Every command that adds tag jobs must queue exactly the
// pairs it names: reconcile, enqueue of known files, retag and retry, on files in every state.
import { findTaxonomy } from '@mediatag/db';
import {
  buildTaggingStates,
  pairNames,
  pairsNeedingTags,
  STATE_NAMES,
  type TaggingStates,
} from '@mediatag/db/testing';
import { createQueues, createRedis, type Queues, type RedisClient } from '@mediatag/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

let h: Harness;
let redis: RedisClient;
let queues: Queues;
let s: TaggingStates;

beforeAll(async () => {
  h = await startHarness();
  redis = createRedis(h.env.REDIS_URL as string, 'producer');
  queues = createQueues(redis, h.prefix);
  s = await buildTaggingStates(h.db.db);
});
afterAll(async () => {
  await queues.close();
  redis.disconnect();
  await h.close();
});

/** The tag jobs in Redis as "file@v1" names; the queues are emptied for the next command. */
async function takeTagJobs(): Promise<string[]> {
  const jobs = await queues.tag.getJobs(['waiting', 'delayed', 'prioritized', 'wait']);
  await h.flushRedis();
  return pairNames(
    s,
    jobs.map((j) => j.data),
  );
}

async function ok(argv: string[], stdin?: string) {
  const run = await h.cli(argv, stdin);
  expect(run.code, run.stderr).toBe(0);
  return run;
}

describe('every command queues exactly the pairs needs_tagging names', () => {
  it('reconcile: every batch’s pairs; a failed tag result is not queued', async () => {
    await ok(['reconcile']);
    expect(await takeTagJobs()).toEqual(s.needsTagging);
    expect(s.needsTagging).not.toContain('tag-error@v1');
  });

  it('enqueue of files a batch already lists: the same pairs as reconcile', async () => {
    await ok(['enqueue', '-', '--batch', 'states'], STATE_NAMES.map((n) => s.urls[n]).join('\n'));
    await ok(
      ['enqueue', '-', '--batch', 'newer'],
      (['tagged', 'tag-error', 'tagged-under-v2-only'] as const).map((n) => s.urls[n]).join('\n'),
    );
    expect(await takeTagJobs()).toEqual(s.needsTagging);
  });

  it('retry: the failed tag result it sets back to pending, which reconcile then agrees with', async () => {
    const run = await ok(['retry', '--batch', 'states']);
    expect(run.stdout).toContain('1 files to tag again');
    expect(await takeTagJobs()).toEqual(['tag-error@v1']);
    await ok(['reconcile']);
    const after = await takeTagJobs();
    expect(after).toEqual([...s.needsTagging, 'tag-error@v1'].sort());
    expect(after).toEqual(pairNames(s, await pairsNeedingTags(h.db.db)));
  });

  it('retag: the batch’s pairs under the new taxonomy, a failed result there reported and not queued', async () => {
    const calls = (await findTaxonomy(h.db.db, 'support-calls'))?.id ?? 0;
    // A failed answer under support-calls from an earlier time: final until retry.
    await h.db.pool.query(
      `INSERT INTO tag_results (media_file_id, taxonomy_id, status, error) VALUES ($1, $2, 'error', 'refused')`,
      [s.fileIds.tagged, calls],
    );
    const run = await ok(['retag', '--batch', 'newer', '--taxonomy', 'support-calls']);
    expect(run.stdout).toContain('2 transcripts queued for tagging');
    expect(run.stdout).toContain('1 files failed tagging with this list before and stay failed');
    const queued = await takeTagJobs();
    expect(queued).toEqual([`tag-error@${calls}`, `tagged-under-v2-only@${calls}`]);
    await ok(['reconcile']);
    expect(await takeTagJobs()).toEqual(pairNames(s, await pairsNeedingTags(h.db.db)));
  });
});
