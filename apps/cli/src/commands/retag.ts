import { findTaxonomy, setBatchTaxonomy, unansweredFiles } from '@mediatag/db';
import { UsageError } from '@mediatag/errors';
import { ensureJobs } from '@mediatag/queue';
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
  await setBatchTaxonomy(db, batch.id, taxonomy.id);
  const unanswered = await unansweredFiles(db, batch.id, taxonomy.id);
  // needs_tagging: transcribed, and no result or a pending one. A failed result is final until
  // `mediatag retry` (migrations/0011_needs_tagging.sql).
  const ready = unanswered.filter((f) => f.needsTagging);
  const later = unanswered.filter((f) => f.transcriptStatus !== 'completed').length;
  // AssemblyAI no longer has these transcripts: their stored excerpt is all there is to tag from.
  const fromExcerpt = ready.filter((f) => f.gone && f.hasExcerpt).length;
  const lost = unanswered.filter((f) => f.transcriptStatus === 'completed' && f.gone && !f.hasExcerpt);
  const failed = unanswered.filter((f) => f.tagFailed && !(f.gone && !f.hasExcerpt)).length;
  const switched = `batch ${batch.name} now uses taxonomy ${taxonomy.name} v${taxonomy.version}`;
  await addJobsAfterCommit(switched, async () => {
    await ensureJobs(
      await ctx.queues(),
      'tag',
      ready.map((f) => ({ fileId: f.fileId, taxonomyId: taxonomy.id })),
    );
  });
  ctx.out(
    `${switched}: ${ready.length} transcripts queued for tagging (no new transcription), ${later} more will be tagged when their transcripts finish`,
  );
  if (fromExcerpt > 0)
    ctx.out(
      `${fromExcerpt} of them are gone from AssemblyAI (deleted): tagged from the excerpt stored when they completed`,
    );
  if (lost.length > 0)
    ctx.out(
      `${lost.length} transcripts are gone from AssemblyAI (deleted) and have no stored excerpt: their tagging fails saying so; \`mediatag retry --batch ${batch.name} --resubmit\` transcribes them again (paid again)`,
    );
  if (failed > 0)
    ctx.out(
      `${failed} files failed tagging with this list before and stay failed: \`mediatag retry --batch ${batch.name}\` asks them again`,
    );
  return 0;
}
