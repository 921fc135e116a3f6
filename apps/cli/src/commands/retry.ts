import { ensureJobs } from '@mediatag/queue';
import { type Command, defineSpec, noPositionals, parseCommand } from '../args.ts';
import { batchName, requireBatch } from '../batch.ts';
import type { Context } from '../context.ts';

const SPEC = defineSpec({
  usage: 'mediatag retry --batch NAME',
  summary:
    "Re-queues a batch's failed files: transcripts AssemblyAI ended in error are submitted anew, saved transcripts we could not read are checked again (never re-submitted), failed tag calls are asked again.",
  options: { batch: { type: 'string' } },
  help: { batch: 'NAME  the batch (required)' },
});

/**
 * `mediatag retry`: re-queues the batch's failed files. A transcript AssemblyAI finished
 * with `error` (not billed) is submitted anew, its old id kept in failed_transcript_ids; a
 * file with a saved id that we failed to read is re-polled, never re-submitted; failed tag
 * attempts are asked again.
 */
export const retryCommand: Command = {
  prepare(args) {
    const { values, positionals } = parseCommand(SPEC, args);
    noPositionals(positionals, SPEC.usage);
    const name = batchName(values.batch, SPEC.usage);
    return (ctx) => run(ctx, name);
  },
};

async function run(ctx: Context, name: string): Promise<number> {
  const db = await ctx.db();
  const batch = await requireBatch(db, name);
  const q = async (text: string) => (await db.$client.query(text, [batch.id])).rows.map((r) => Number(r.id));
  const inBatch = 'FROM batch_files bf WHERE bf.media_file_id = m.id AND bf.batch_id = $1';
  const resubmit = await q(`UPDATE media_files m SET
      failed_transcript_ids = CASE WHEN m.transcript_id IS NULL THEN m.failed_transcript_ids
                                   ELSE array_append(m.failed_transcript_ids, m.transcript_id) END,
      transcript_id = NULL, transcript_status = 'pending', error = NULL, error_kind = NULL,
      submit_claimed_at = NULL, updated_at = now()
    ${inBatch} AND m.transcript_status = 'error' AND (m.error_kind = 'api' OR m.transcript_id IS NULL)
    RETURNING m.id`);
  const repoll =
    await q(`UPDATE media_files m SET transcript_status = 'queued', error = NULL, error_kind = NULL,
      updated_at = now()
    ${inBatch} AND m.transcript_status = 'error' AND m.transcript_id IS NOT NULL
    RETURNING m.id`);
  const retag = await q(`UPDATE tag_results r SET status = 'pending', error = NULL, updated_at = now()
    FROM batch_files bf JOIN batches b ON b.id = bf.batch_id
    WHERE bf.batch_id = $1 AND r.media_file_id = bf.media_file_id AND r.taxonomy_id = b.taxonomy_id
      AND r.status = 'error'
    RETURNING r.media_file_id AS id`);
  const queues = await ctx.queues();
  await ensureJobs(
    queues.transcribe,
    'transcribe',
    resubmit.map((fileId) => ({ fileId })),
  );
  await ensureJobs(
    queues.poll,
    'poll',
    repoll.map((fileId) => ({ fileId })),
  );
  await ensureJobs(
    queues.tag,
    'tag',
    retag.map((fileId) => ({ fileId, taxonomyId: batch.taxonomyId })),
  );
  ctx.out(
    `batch ${batch.name}: ${resubmit.length} files to transcribe again, ${repoll.length} saved transcripts to check again, ${retag.length} files to tag again`,
  );
  return 0;
}
