import { batches, findTaxonomy } from '@mediatag/db';
import { UsageError } from '@mediatag/errors';
import { ensureJobs } from '@mediatag/queue';
import { eq, sql } from 'drizzle-orm';
import { parse } from '../args.ts';
import { requireBatch } from '../batch.ts';
import type { Context } from '../context.ts';

const USAGE = 'mediatag retag --batch NAME --taxonomy NAME';

/**
 * `mediatag retag`: points the batch at another taxonomy (its latest version) and tags the
 * batch's existing transcripts with it. No transcription is bought: files still being
 * transcribed are tagged with the new list when they finish.
 */
export async function retagCommand(ctx: Context, args: string[]): Promise<number> {
  const { values } = parse(args, { batch: { type: 'string' }, taxonomy: { type: 'string' } }, USAGE);
  const db = await ctx.db();
  const batch = await requireBatch(db, values.batch, USAGE);
  if (!values.taxonomy) throw new UsageError(`--taxonomy NAME is required\nusage: ${USAGE}`);
  const taxonomy = await findTaxonomy(db, values.taxonomy);
  if (!taxonomy) throw new UsageError(`no taxonomy named "${values.taxonomy}" (see: mediatag taxonomy list)`);
  await db
    .update(batches)
    .set({ taxonomyId: taxonomy.id, updatedAt: sql`now()` })
    .where(eq(batches.id, batch.id));
  const { rows } = await db.$client.query(
    `SELECT m.id, m.transcript_status FROM batch_files bf JOIN media_files m ON m.id = bf.media_file_id
     WHERE bf.batch_id = $1 AND m.transcript_status <> 'error' AND NOT EXISTS (
       SELECT 1 FROM tag_results r WHERE r.media_file_id = m.id AND r.taxonomy_id = $2
         AND r.status IN ('tagged', 'unmatched'))`,
    [batch.id, taxonomy.id],
  );
  const ready = rows.filter((r) => r.transcript_status === 'completed').map((r) => Number(r.id));
  const queues = await ctx.queues();
  await ensureJobs(
    queues.tag,
    'tag',
    ready.map((fileId) => ({ fileId, taxonomyId: taxonomy.id })),
  );
  ctx.out(
    `batch ${batch.name} now uses taxonomy ${taxonomy.name} v${taxonomy.version}: ${ready.length} transcripts queued for tagging (no new transcription), ${rows.length - ready.length} more will be tagged when their transcripts finish`,
  );
  return 0;
}
