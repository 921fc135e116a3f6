import { batches, findTaxonomy } from '@mediatag/db';
import { UsageError } from '@mediatag/errors';
import { ensureJobs } from '@mediatag/queue';
import { eq, sql } from 'drizzle-orm';
import { addJobsAfterCommit } from '../after-commit.ts';
import { type Command, defineSpec, noPositionals, parseCommand } from '../args.ts';
import { batchName, requireBatch } from '../batch.ts';
import type { Context } from '../context.ts';

const SPEC = defineSpec({
  usage: 'mediatag retag --batch NAME --taxonomy NAME',
  summary:
    'Points a batch at another tag list and tags its existing transcripts with it: no new transcription.',
  options: { batch: { type: 'string' }, taxonomy: { type: 'string' } },
  help: { batch: 'NAME  the batch (required)', taxonomy: 'NAME  the tag list to use (required)' },
});
const USAGE = SPEC.usage;

/**
 * `mediatag retag`: points the batch at another taxonomy (its latest version) and tags the
 * batch's existing transcripts with it. No transcription is bought: files still being
 * transcribed are tagged with the new list when they finish.
 */
export const retagCommand: Command = {
  prepare(args) {
    const { values, positionals } = parseCommand(SPEC, args);
    noPositionals(positionals, USAGE);
    const name = batchName(values.batch, USAGE);
    const taxonomyName = values.taxonomy;
    if (!taxonomyName) throw new UsageError(`--taxonomy NAME is required\nusage: ${USAGE}`);
    return (ctx) => run(ctx, name, taxonomyName);
  },
};

async function run(ctx: Context, name: string, taxonomyName: string): Promise<number> {
  // Redis is reached before the batch is switched: unreachable, nothing changes.
  const db = await ctx.connect({ redis: true });
  const batch = await requireBatch(db, name);
  const taxonomy = await findTaxonomy(db, taxonomyName);
  if (!taxonomy) throw new UsageError(`no taxonomy named "${taxonomyName}" (see: mediatag taxonomy list)`);
  await db
    .update(batches)
    .set({ taxonomyId: taxonomy.id, updatedAt: sql`now()` })
    .where(eq(batches.id, batch.id));
  const { rows } = await db.$client.query(
    `SELECT m.id, m.transcript_status, m.error_kind = 'gone' AS gone,
            EXISTS (SELECT 1 FROM transcript_texts x WHERE x.media_file_id = m.id) AS has_excerpt
       FROM batch_files bf JOIN media_files m ON m.id = bf.media_file_id
     WHERE bf.batch_id = $1 AND m.transcript_status <> 'error' AND NOT EXISTS (
       SELECT 1 FROM tag_results r WHERE r.media_file_id = m.id AND r.taxonomy_id = $2
         AND r.status IN ('tagged', 'unmatched'))`,
    [batch.id, taxonomy.id],
  );
  const done = rows.filter((r) => r.transcript_status === 'completed');
  // AssemblyAI no longer has these transcripts: their stored excerpt is all there is to tag from.
  const fromExcerpt = done.filter((r) => r.gone && r.has_excerpt).length;
  const lost = done.filter((r) => r.gone && !r.has_excerpt);
  const ready = done.map((r) => Number(r.id));
  const switched = `batch ${batch.name} now uses taxonomy ${taxonomy.name} v${taxonomy.version}`;
  await addJobsAfterCommit(switched, async () => {
    await ensureJobs(
      await ctx.queues(),
      'tag',
      ready.map((fileId) => ({ fileId, taxonomyId: taxonomy.id })),
    );
  });
  ctx.out(
    `${switched}: ${ready.length} transcripts queued for tagging (no new transcription), ${rows.length - done.length} more will be tagged when their transcripts finish`,
  );
  if (fromExcerpt > 0)
    ctx.out(
      `${fromExcerpt} of them are gone from AssemblyAI (deleted): tagged from the excerpt stored when they completed`,
    );
  if (lost.length > 0)
    ctx.out(
      `${lost.length} transcripts are gone from AssemblyAI (deleted) and have no stored excerpt: their tagging fails saying so; \`mediatag retry --batch ${batch.name} --resubmit\` transcribes them again (paid again)`,
    );
  return 0;
}
