// Files submitted to AssemblyAI and not yet recorded finished, looked up by transcript id.
import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';

/**
 * The files still in flight (`queued` or `processing`) among these transcript ids, in one
 * statement (`transcript_id` is UNIQUE, so each id is an index lookup). Ids of files already
 * recorded finished, or unknown to this database, are left out.
 */
export async function filesInFlightByTranscript(
  db: Db,
  transcriptIds: string[],
): Promise<{ fileId: number; transcriptId: string }[]> {
  if (transcriptIds.length === 0) return [];
  const { rows } = await db.execute<{ id: string | number; transcript_id: string }>(sql`
    SELECT id, transcript_id FROM media_files
     WHERE transcript_id = ANY (${sql.param(transcriptIds)}::text[])
       AND transcript_status IN ('queued', 'processing')`);
  return rows.map((r) => ({ fileId: Number(r.id), transcriptId: r.transcript_id }));
}
