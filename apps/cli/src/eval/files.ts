// The files and tag lists an evaluation is about, looked up in Postgres.
import type { Db, Tag } from '@mediatag/db';

/** One version of a tag list. */
export type TaxonomyRef = { id: number; name: string; version: number; tags: Tag[] };

/** A tag list version by id. */
export async function taxonomyById(db: Db, id: number): Promise<TaxonomyRef | undefined> {
  const { rows } = await db.$client.query('SELECT id, name, version, tags FROM taxonomies WHERE id = $1', [
    id,
  ]);
  return rows[0];
}

/** A given version of a named tag list. */
export async function taxonomyVersion(
  db: Db,
  name: string,
  version: number,
): Promise<TaxonomyRef | undefined> {
  const { rows } = await db.$client.query(
    'SELECT id, name, version, tags FROM taxonomies WHERE name = $1 AND version = $2',
    [name, version],
  );
  return rows[0];
}

/** The media files the labels name (by URL or transcript id), with their transcript state and current topic. */
export async function filesOfLabels(
  db: Db,
  gold: Array<{ url: string | null; transcriptId: string | null }>,
  taxonomyId: number,
) {
  const { rows } = await db.$client.query(
    `SELECT m.id, m.url, m.transcript_id, m.transcript_status, r.topic FROM media_files m
       LEFT JOIN tag_results r ON r.media_file_id = m.id AND r.taxonomy_id = $3 AND r.status = 'tagged'
      WHERE m.url = ANY ($1::text[]) OR m.transcript_id = ANY ($2::text[])`,
    [
      gold.flatMap((g) => (g.url ? [g.url] : [])),
      gold.flatMap((g) => (g.transcriptId ? [g.transcriptId] : [])),
      taxonomyId,
    ],
  );
  const out = new Map<
    string,
    { id: number; url: string; transcriptId: string | null; status: string; current: string | null }
  >();
  for (const r of rows) {
    const f = {
      id: Number(r.id),
      url: r.url,
      transcriptId: r.transcript_id,
      status: r.transcript_status,
      current: r.topic,
    };
    out.set(`url:${r.url}`, f);
    if (r.transcript_id) out.set(`id:${r.transcript_id}`, f);
  }
  return out;
}

/** A batch's files with a completed transcript, with their current topic (the sampling strata). */
export async function completedFiles(db: Db, batchId: number, taxonomyId: number) {
  const { rows } = await db.$client.query(
    `SELECT m.id, m.url, m.transcript_id, r.topic FROM batch_files bf
       JOIN media_files m ON m.id = bf.media_file_id
       LEFT JOIN tag_results r ON r.media_file_id = m.id AND r.taxonomy_id = $2 AND r.status = 'tagged'
      WHERE bf.batch_id = $1 AND m.transcript_status = 'completed' AND m.transcript_id IS NOT NULL
      ORDER BY m.id`,
    [batchId, taxonomyId],
  );
  return rows.map((r) => ({
    fileId: Number(r.id),
    url: r.url as string,
    transcriptId: r.transcript_id as string,
    expected: null,
    current: (r.topic as string | null) ?? null,
  }));
}
