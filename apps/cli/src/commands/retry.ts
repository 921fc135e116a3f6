import { createInterface } from 'node:readline/promises';
import { type GoneFiles, goneFiles, requeueFailed } from '@mediatag/db';
import { UsageError } from '@mediatag/errors';
import { ensureJobs } from '@mediatag/queue';
import { addJobsAfterCommit } from '../after-commit.ts';
import { type Command, defineSpec, noPositionals, parseCommand } from '../args.ts';
import { batchName, requireBatch } from '../batch.ts';
import type { Context } from '../context.ts';

const SPEC = defineSpec({
  usage: 'mediatag retry --batch NAME [--resubmit [--yes]]',
  summary:
    "Re-queues a batch's failed files: transcripts AssemblyAI ended in error are submitted anew, saved transcripts we could not read are checked again (never re-submitted), failed tag calls are asked again. Transcripts AssemblyAI no longer has (deleted) are only counted; --resubmit transcribes them again.",
  options: {
    batch: { type: 'string' },
    resubmit: { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
  },
  help: {
    batch: 'NAME  the batch (required)',
    resubmit: 'also submit again the files whose transcript is gone from AssemblyAI (paid again; asks first)',
    yes: 'with --resubmit: do not ask (needed when not on a terminal)',
  },
});

/** "3 files, about 0.42 h of audio, estimated $0.09" (with what the estimate assumed). */
function estimate(gone: GoneFiles, perAudioHour: number): string {
  const known = gone.files.filter((f) => f.seconds !== null);
  const unknown = gone.files.length - known.length;
  const n = gone.files.length;
  const seconds = known.reduce((s, f) => s + (f.seconds ?? 0), 0) + unknown * (gone.meanSeconds ?? 0);
  const cost = (seconds / 3600) * perAudioHour;
  const assumed =
    unknown === 0
      ? ''
      : gone.meanSeconds === null
        ? `; the length of ${unknown} is unknown and not counted`
        : `; ${unknown} of unknown length counted at the mean of ${(gone.meanSeconds / 60).toFixed(1)} min`;
  return `${n} ${n === 1 ? 'file' : 'files'}, about ${(seconds / 3600).toFixed(2)} h of audio, estimated $${cost.toFixed(2)} at $${perAudioHour}/h${assumed}`;
}

/** Asks on the terminal; true only for y or yes. */
async function confirm(ctx: Context, question: string): Promise<boolean> {
  const rl = createInterface({ input: ctx.io.stdin, output: ctx.io.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/**
 * `mediatag retry`: re-queues the batch's failed files. A transcript AssemblyAI finished
 * with `error` (not billed) is submitted anew, its old id kept in failed_transcript_ids; a
 * file with a saved id that we failed to read is re-polled, never re-submitted; failed tag
 * attempts are asked again. A transcript AssemblyAI no longer has would fail the same way
 * forever: it is counted, and submitted again (a new charge) only with --resubmit.
 */
export const retryCommand: Command = {
  prepare(args) {
    const { values, positionals } = parseCommand(SPEC, args);
    noPositionals(positionals, SPEC.usage);
    const name = batchName(values.batch, SPEC.usage);
    if (values.yes && !values.resubmit)
      throw new UsageError(`--yes goes with --resubmit\nusage: ${SPEC.usage}`);
    return (ctx) => run(ctx, name, { resubmit: values.resubmit === true, yes: values.yes === true });
  },
};

async function run(ctx: Context, name: string, opts: { resubmit: boolean; yes: boolean }): Promise<number> {
  // Redis is reached before the first write: unreachable, nothing changes.
  const db = await ctx.connect({ redis: true });
  const batch = await requireBatch(db, name);
  const gone = await goneFiles(db, batch.id);
  const price = ctx.env.PRICE_PER_AUDIO_HOUR;
  const resubmitGone = opts.resubmit && gone.files.length > 0;
  if (resubmitGone && !opts.yes) {
    const what = `transcribe again the ${estimate(gone, price)}, whose transcripts are gone from AssemblyAI`;
    if (!ctx.io.stdin.isTTY)
      throw new UsageError(
        `--resubmit would ${what}; not on a terminal to ask, so pass --yes to confirm (nothing changed)`,
      );
    if (!(await confirm(ctx, `${what.charAt(0).toUpperCase()}${what.slice(1)}? [y/N] `))) {
      ctx.err('not confirmed: nothing changed');
      return 1;
    }
  }

  // One transaction: a failure part-way leaves every file as it was.
  const { resubmit, repoll, retag, again } = await requeueFailed(
    db,
    batch.id,
    resubmitGone ? gone.files.map((f) => f.id) : [],
  );

  const summary = `batch ${batch.name}: ${resubmit.length} files to transcribe again, ${repoll.length} saved transcripts to check again, ${retag.length} files to tag again`;
  const resubmitted = new Set(again);
  await addJobsAfterCommit(`${summary} (recorded)`, async () => {
    const queues = await ctx.queues();
    await ensureJobs(
      queues,
      'transcribe',
      [...resubmit, ...again].map((fileId) => ({ fileId })),
    );
    await ensureJobs(
      queues,
      'poll',
      repoll.map((fileId) => ({ fileId })),
    );
    await ensureJobs(
      queues,
      'tag',
      // A resubmitted file is tagged when its new transcript completes.
      retag.filter((id) => !resubmitted.has(id)).map((fileId) => ({ fileId, taxonomyId: batch.taxonomyId })),
    );
  });
  ctx.out(summary);
  if (again.length > 0) {
    ctx.out(`resubmitted ${estimate(gone, price)}: their transcripts were gone from AssemblyAI`);
  } else if (gone.files.length > 0) {
    ctx.out(
      `${gone.files.length} transcripts are gone from AssemblyAI (deleted; checking again cannot help): ` +
        `mediatag retry --batch ${batch.name} --resubmit transcribes them again (${estimate(gone, price)})`,
    );
  }
  return 0;
}
