import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkToBatch } from './enqueue.ts';
import { unansweredFiles } from './retag.ts';
import { requeueFailed } from './retry.ts';
import { TAG_STATUSES, TRANSCRIPT_STATUSES } from './schema.ts';
import {
  addBatch,
  buildTaggingStates,
  createTestDatabase,
  pairNames,
  pairsNeedingTags,
  STATE_NAMES,
  type TaggingStates,
  type TestDatabase,
} from './testing.ts';

let t: TestDatabase;
let s: TaggingStates;
beforeAll(async () => {
  t = await createTestDatabase();
  s = await buildTaggingStates(t.db);
});
afterAll(async () => {
  await t.drop();
});

const names = (ids: number[]) => {
  const byId = new Map(Object.entries(s.fileIds).map(([name, id]) => [id, name]));
  return ids.map((id) => byId.get(id)).sort();
};
const onlyAt = (version: 'v1' | 'v2') =>
  s.needsTagging.filter((p) => p.endsWith(`@${version}`)).map((p) => p.split('@')[0]);

describe('needs_tagging (migrations/0011_needs_tagging.sql)', () => {
  it('is true only for a transcribed file with no result or a pending one', async () => {
    const { rows } = await t.db.execute<{ transcript: string; result: string | null; needs: boolean }>(sql`
      SELECT ts AS transcript, rs AS result, needs_tagging(ts, rs) AS needs
        FROM unnest(${sql.param([...TRANSCRIPT_STATUSES])}::text[]) AS ts,
             unnest(${sql.param([null, ...TAG_STATUSES])}::text[]) AS rs`);
    expect(rows).toHaveLength(TRANSCRIPT_STATUSES.length * (TAG_STATUSES.length + 1));
    const yes = rows.filter((r) => r.needs).map((r) => `${r.transcript}/${r.result ?? 'none'}`);
    expect(yes.sort()).toEqual(['completed/none', 'completed/pending']);
    // Never NULL: a caller may select it as a column. A failed result is final (only `retry`
    // sets it back to pending), like tagged and unmatched.
    expect(rows.every((r) => typeof r.needs === 'boolean')).toBe(true);
  });

  it('names exactly the pairs of the fixture that still need a tag', async () => {
    expect(pairNames(s, await pairsNeedingTags(t.db))).toEqual(s.needsTagging);
  });

  it('is inlined by the planner: the plan is that of the spelled-out predicate', async () => {
    const { rows } = await t.db.execute<{ 'QUERY PLAN': string }>(sql`
      EXPLAIN SELECT m.id FROM media_files m
        JOIN batch_files bf ON bf.media_file_id = m.id JOIN batches b ON b.id = bf.batch_id
        LEFT JOIN tag_results r ON r.media_file_id = m.id AND r.taxonomy_id = b.taxonomy_id
       WHERE needs_tagging(m.transcript_status, r.status)`);
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).not.toContain('needs_tagging');
    // The transcript half is pushed down to the scan of media_files, before any join.
    expect(plan).toMatch(/media_files m[^\n]*\n\s*Filter: \(transcript_status = 'completed'::text\)/);
    expect(plan).toContain("((r.status IS NULL) OR (r.status = 'pending'::text))");
  });

  it('enqueue agrees: the files it reports as needing a tag, existing or newly added to a batch', async () => {
    const again = await linkToBatch(
      t.db,
      s.states,
      STATE_NAMES.map((n) => ({ url: s.urls[n] })),
    );
    const linked = again.flatMap((r) => (r.skipped ? [] : [r]));
    expect(linked.every((r) => r.inBatch && !r.added)).toBe(true);
    expect(names(linked.filter((r) => r.needsTagging).map((r) => r.fileId))).toEqual(onlyAt('v1'));

    // A new batch on v2 lists every file: every transcribed one lacks a v2 answer, but one.
    const fresh = { id: await addBatch(t.db, 'fresh', s.v2), taxonomyId: s.v2 };
    const added = (
      await linkToBatch(
        t.db,
        fresh,
        STATE_NAMES.map((n) => ({ url: s.urls[n] })),
      )
    ).flatMap((r) => (r.skipped ? [] : [r]));
    expect(added.every((r) => r.added)).toBe(true);
    const needed = names(added.filter((r) => r.needsTagging).map((r) => r.fileId));
    expect(needed).toEqual(['no-result', 'result-pending', 'tagged', 'unmatched', 'tag-error'].sort());
    await t.db.execute(sql`DELETE FROM batches WHERE id = ${fresh.id}`);
  });

  it('retag agrees: what it queues is what needs a tag; a failed result is reported, not queued', async () => {
    const v1 = await unansweredFiles(t.db, s.states.id, s.v1);
    expect(names(v1.filter((f) => f.needsTagging).map((f) => f.fileId))).toEqual(onlyAt('v1'));
    expect(names(v1.filter((f) => f.tagFailed).map((f) => f.fileId))).toEqual(['tag-error']);
    expect(names(v1.filter((f) => f.transcriptStatus !== 'completed').map((f) => f.fileId))).toEqual([
      'pending',
      'processing',
      'queued',
    ]);
    const v2 = await unansweredFiles(t.db, s.newer.id, s.v2);
    expect(names(v2.filter((f) => f.needsTagging).map((f) => f.fileId))).toEqual(onlyAt('v2'));
  });

  it('retry agrees: a failed result it sets back to pending needs a tag again, for everyone', async () => {
    const requeued = await requeueFailed(t.db, s.states.id, []);
    expect(names(requeued.retag)).toEqual(['tag-error']);
    expect(names(requeued.resubmit)).toEqual(['transcript-error']);
    expect(pairNames(s, await pairsNeedingTags(t.db))).toEqual([...s.needsTagging, 'tag-error@v1'].sort());
    const v1 = await unansweredFiles(t.db, s.states.id, s.v1);
    expect(names(v1.filter((f) => f.needsTagging).map((f) => f.fileId))).toEqual(
      [...onlyAt('v1'), 'tag-error'].sort(),
    );
  });
});
