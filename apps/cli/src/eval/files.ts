// The files an evaluation is about, found from hand labels or a batch.
import { completedFilesOfBatch, type Db, filesByUrlOrTranscript, type TaxonomyRow } from '@mediatag/db';

/** One version of a tag list. */
export type TaxonomyRef = Pick<TaxonomyRow, 'id' | 'name' | 'version' | 'tags'>;

/** The media files the labels name (by URL or transcript id), with their transcript state and current topic. */
export async function filesOfLabels(
  db: Db,
  gold: Array<{ url: string | null; transcriptId: string | null }>,
  taxonomyId: number,
) {
  const found = await filesByUrlOrTranscript(db, {
    urls: gold.flatMap((g) => (g.url ? [g.url] : [])),
    transcriptIds: gold.flatMap((g) => (g.transcriptId ? [g.transcriptId] : [])),
    taxonomyId,
  });
  const out = new Map<
    string,
    { id: number; url: string; transcriptId: string | null; status: string; current: string | null }
  >();
  for (const r of found) {
    const f = {
      id: r.fileId,
      url: r.url,
      transcriptId: r.transcriptId,
      status: r.transcriptStatus,
      current: r.topic,
    };
    out.set(`url:${r.url}`, f);
    if (r.transcriptId) out.set(`id:${r.transcriptId}`, f);
  }
  return out;
}

/** A batch's files with a completed transcript, with their current topic (the sampling strata). */
export async function completedFiles(db: Db, batchId: number, taxonomyId: number) {
  return (await completedFilesOfBatch(db, batchId, taxonomyId)).map((r) => ({
    fileId: r.fileId,
    url: r.url,
    transcriptId: r.transcriptId,
    expected: null,
    current: r.topic,
  }));
}
