// Test fixture: files in every state that matters to "needs tagging", in two batches on two
// versions of one taxonomy, written straight into the tables as the pipeline leaves them.
import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import type { TagStatus, TranscriptStatus } from './schema.ts';
import { addTaxonomy, findTaxonomy } from './taxonomies.ts';

/** A media file as a test wants it; the columns the checks of media_files require follow from these. */
export interface FileSpec {
  url: string;
  status?: TranscriptStatus;
  errorKind?: 'api' | 'submit' | 'poll' | 'gone' | null;
  audioDurationS?: number | null;
  /** Store a tagging excerpt in transcript_texts. */
  excerpt?: boolean;
}

/** Inserts a media file (a transcript id unless pending); returns its id. */
export async function addFile(db: Db, f: FileSpec): Promise<number> {
  const status = f.status ?? 'pending';
  const transcriptId = status === 'pending' ? null : `tx-${f.url}`;
  const { rows } = await db.execute<{ id: string }>(sql`
    INSERT INTO media_files (url, transcript_id, transcript_status, error_kind, audio_duration_s, completed_at)
    VALUES (${f.url}, ${transcriptId}, ${status}, ${f.errorKind ?? null}, ${f.audioDurationS ?? null},
            CASE WHEN ${status} = 'completed' THEN now() END)
    RETURNING id`);
  const id = Number(rows[0]?.id);
  if (f.excerpt)
    await db.execute(sql`
      INSERT INTO transcript_texts (media_file_id, excerpt, excerpt_tokens, full_tokens) VALUES (${id}, 'an excerpt', 3, 3)`);
  return id;
}

/** Lists files in a batch. */
export async function linkFiles(db: Db, batchId: number, fileIds: number[]): Promise<void> {
  await db.execute(sql`
    INSERT INTO batch_files (batch_id, media_file_id)
    SELECT ${batchId}::int, unnest(${sql.param(fileIds)}::bigint[])`);
}

/** Stores a tag result (`tagged` takes the taxonomy's first tag as its topic). */
export async function addResult(
  db: Db,
  fileId: number,
  taxonomyId: number,
  status: TagStatus,
): Promise<void> {
  await db.execute(sql`
    INSERT INTO tag_results (media_file_id, taxonomy_id, status, topic, error)
    SELECT ${fileId}::bigint, t.id, ${status}::text,
           CASE WHEN ${status} = 'tagged' THEN t.tags->0->>'name' END,
           CASE WHEN ${status} = 'error' THEN 'the gateway refused' END
      FROM taxonomies t WHERE t.id = ${taxonomyId}`);
}

/** Makes a batch on a taxonomy version; returns its id. */
export async function addBatch(db: Db, name: string, taxonomyId: number): Promise<number> {
  const { rows } = await db.execute<{ id: number }>(
    sql`INSERT INTO batches (name, taxonomy_id) VALUES (${name}, ${taxonomyId}) RETURNING id`,
  );
  return Number(rows[0]?.id);
}

/** The states of `buildTaggingStates`, by the name of the file in that state. */
export const STATE_NAMES = [
  'pending',
  'queued',
  'processing',
  'transcript-error',
  'no-result',
  'result-pending',
  'tagged',
  'unmatched',
  'tag-error',
  'tagged-under-v2-only',
] as const;
export type StateName = (typeof STATE_NAMES)[number];

/** What `buildTaggingStates` made. */
export interface TaggingStates {
  /** media v1 (the preset) and media v2 (another wording of the same list). */
  v1: number;
  v2: number;
  /** Batch `states` on v1 lists every file; batch `newer` on v2 lists three of them. */
  states: { id: number; taxonomyId: number };
  newer: { id: number; taxonomyId: number };
  fileIds: Record<StateName, number>;
  urls: Record<StateName, string>;
  /**
   * The (file, taxonomy) pairs these batches still need a tag for, as "file@v1": transcribed,
   * with no result or a pending one under the batch's taxonomy. A failed result is final.
   */
  needsTagging: string[];
}

/** Builds the fixture (URLs under `https://states.example.com/`). */
export async function buildTaggingStates(db: Db): Promise<TaggingStates> {
  const media = await findTaxonomy(db, 'media');
  if (!media) throw new Error('media preset missing');
  const v1 = media.id;
  const reworded = media.tags.map((t) => ({ ...t, description: `${t.description} (v2)` }));
  const v2 = (await addTaxonomy(db, 'media', reworded)).taxonomy.id;
  const urls = Object.fromEntries(
    STATE_NAMES.map((n) => [n, `https://states.example.com/${n}.mp3`]),
  ) as Record<StateName, string>;
  const status: Record<StateName, TranscriptStatus> = {
    pending: 'pending',
    queued: 'queued',
    processing: 'processing',
    'transcript-error': 'error',
    'no-result': 'completed',
    'result-pending': 'completed',
    tagged: 'completed',
    unmatched: 'completed',
    'tag-error': 'completed',
    'tagged-under-v2-only': 'completed',
  };
  const fileIds = {} as Record<StateName, number>;
  for (const n of STATE_NAMES)
    fileIds[n] = await addFile(db, {
      url: urls[n],
      status: status[n],
      errorKind: n === 'transcript-error' ? 'api' : null,
    });
  await addResult(db, fileIds['result-pending'], v1, 'pending');
  await addResult(db, fileIds.tagged, v1, 'tagged');
  await addResult(db, fileIds.unmatched, v1, 'unmatched');
  await addResult(db, fileIds['tag-error'], v1, 'error');
  await addResult(db, fileIds['tagged-under-v2-only'], v2, 'tagged');
  const states = { id: await addBatch(db, 'states', v1), taxonomyId: v1 };
  const newer = { id: await addBatch(db, 'newer', v2), taxonomyId: v2 };
  await linkFiles(db, states.id, Object.values(fileIds));
  await linkFiles(db, newer.id, [fileIds.tagged, fileIds['tag-error'], fileIds['tagged-under-v2-only']]);
  return {
    v1,
    v2,
    states,
    newer,
    fileIds,
    urls,
    needsTagging: [
      'no-result@v1',
      'result-pending@v1',
      'tagged-under-v2-only@v1',
      'tagged@v2',
      'tag-error@v2',
    ].sort(),
  };
}

/** "file@v1" names of (file id, taxonomy id) pairs of the fixture, sorted. */
export function pairNames(s: TaggingStates, pairs: Array<{ fileId: number; taxonomyId: number }>): string[] {
  const byId = new Map(Object.entries(s.fileIds).map(([name, id]) => [id, name]));
  return pairs
    .map(
      (p) =>
        `${byId.get(p.fileId) ?? p.fileId}@${p.taxonomyId === s.v1 ? 'v1' : p.taxonomyId === s.v2 ? 'v2' : p.taxonomyId}`,
    )
    .sort();
}

/** Every (file, batch taxonomy) pair of every batch that `needs_tagging` says needs a tag. */
export async function pairsNeedingTags(db: Db): Promise<Array<{ fileId: number; taxonomyId: number }>> {
  const { rows } = await db.execute<{ id: string; taxonomy_id: number }>(sql`
    SELECT DISTINCT m.id, b.taxonomy_id FROM batch_files bf JOIN batches b ON b.id = bf.batch_id
      JOIN media_files m ON m.id = bf.media_file_id
      LEFT JOIN tag_results r ON r.media_file_id = m.id AND r.taxonomy_id = b.taxonomy_id
     WHERE needs_tagging(m.transcript_status, r.status)`);
  return rows.map((r) => ({ fileId: Number(r.id), taxonomyId: Number(r.taxonomy_id) }));
}
