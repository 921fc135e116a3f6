import { createInterface } from 'node:readline/promises';
import type { Db } from '@mediatag/db';
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

/** Files of the batch whose transcript AssemblyAI no longer has and that still need one. */
interface Gone {
  ids: number[];
  /** Audio seconds known for them (earlier transcript, or the feed's duration). */
  knownSeconds: number;
  unknown: number;
  /** Mean audio seconds of every completed transcript, to estimate the unknown ones. */
  meanSeconds: number | null;
}

// Gone before we read the result (failed), or gone after completing with no excerpt kept and
// the batch's tag list still to answer: in both cases only a new transcript can help.
const GONE_SQL = `
  SELECT m.id, coalesce(m.audio_duration_s, bf.episode_duration_s) AS seconds,
         (SELECT avg(audio_duration_s) FROM media_files WHERE transcript_status = 'completed') AS mean
    FROM batch_files bf JOIN batches b ON b.id = bf.batch_id JOIN media_files m ON m.id = bf.media_file_id
   WHERE bf.batch_id = $1 AND m.error_kind = 'gone' AND (m.transcript_status = 'error' OR (
         m.transcript_status = 'completed'
     AND NOT EXISTS (SELECT 1 FROM transcript_texts x WHERE x.media_file_id = m.id)
     AND NOT EXISTS (SELECT 1 FROM tag_results r WHERE r.media_file_id = m.id AND r.taxonomy_id = b.taxonomy_id
                       AND r.status IN ('tagged', 'unmatched'))))`;

async function goneFiles(db: Db, batchId: number): Promise<Gone> {
  const { rows } = await db.$client.query(GONE_SQL, [batchId]);
  const known = rows.filter((r) => r.seconds !== null);
  return {
    ids: rows.map((r) => Number(r.id)),
    knownSeconds: known.reduce((n, r) => n + Number(r.seconds), 0),
    unknown: rows.length - known.length,
    meanSeconds: rows[0]?.mean == null ? null : Number(rows[0].mean),
  };
}

/** "3 files, about 0.42 h of audio, estimated $0.09" (with what the estimate assumed). */
function estimate(gone: Gone, perAudioHour: number): string {
  const seconds = gone.knownSeconds + gone.unknown * (gone.meanSeconds ?? 0);
  const cost = (seconds / 3600) * perAudioHour;
  const assumed =
    gone.unknown === 0
      ? ''
      : gone.meanSeconds === null
        ? `; the length of ${gone.unknown} is unknown and not counted`
        : `; ${gone.unknown} of unknown length counted at the mean of ${(gone.meanSeconds / 60).toFixed(1)} min`;
  return `${gone.ids.length} ${gone.ids.length === 1 ? 'file' : 'files'}, about ${(seconds / 3600).toFixed(2)} h of audio, estimated $${cost.toFixed(2)} at $${perAudioHour}/h${assumed}`;
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
  const resubmitGone = opts.resubmit && gone.ids.length > 0;
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
  const client = await db.$client.connect();
  let resubmit: number[];
  let repoll: number[];
  let retag: number[];
  let again: number[] = [];
  try {
    await client.query('BEGIN');
    const q = async (text: string, params: unknown[] = [batch.id]) =>
      (await client.query(text, params)).rows.map((r) => Number(r.id));
    const inBatch = 'FROM batch_files bf WHERE bf.media_file_id = m.id AND bf.batch_id = $1';
    resubmit = await q(`UPDATE media_files m SET
        failed_transcript_ids = CASE WHEN m.transcript_id IS NULL THEN m.failed_transcript_ids
                                     ELSE array_append(m.failed_transcript_ids, m.transcript_id) END,
        transcript_id = NULL, transcript_status = 'pending', error = NULL, error_kind = NULL,
        submit_claimed_at = NULL, updated_at = now()
      ${inBatch} AND m.transcript_status = 'error' AND (m.error_kind = 'api' OR m.transcript_id IS NULL)
      RETURNING m.id`);
    repoll = await q(`UPDATE media_files m SET transcript_status = 'queued', error = NULL, error_kind = NULL,
        updated_at = now()
      ${inBatch} AND m.transcript_status = 'error' AND m.transcript_id IS NOT NULL
        AND m.error_kind IS DISTINCT FROM 'gone'
      RETURNING m.id`);
    if (resubmitGone) {
      // The old id is kept; its ledger row stays (it was paid), the new transcript bills anew.
      again = await q(
        `UPDATE media_files m SET failed_transcript_ids = array_append(m.failed_transcript_ids, m.transcript_id),
           transcript_id = NULL, transcript_status = 'pending', error = NULL, error_kind = NULL,
           audio_duration_s = NULL, completed_at = NULL, submit_claimed_at = NULL, updated_at = now()
         WHERE m.id = ANY ($1::bigint[]) AND m.error_kind = 'gone'
         RETURNING m.id`,
        [gone.ids],
      );
      await client.query(
        `UPDATE tag_results SET status = 'pending', error = NULL, updated_at = now()
          WHERE media_file_id = ANY ($1::bigint[]) AND status = 'error'`,
        [again],
      );
    }
    retag = await q(`UPDATE tag_results r SET status = 'pending', error = NULL, updated_at = now()
      FROM batch_files bf JOIN batches b ON b.id = bf.batch_id
      WHERE bf.batch_id = $1 AND r.media_file_id = bf.media_file_id AND r.taxonomy_id = b.taxonomy_id
        AND r.status = 'error'
      RETURNING r.media_file_id AS id`);
    await client.query('COMMIT');
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      // The connection itself failed: Postgres rolls the transaction back on its own.
    }
    throw error;
  } finally {
    client.release();
  }

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
  } else if (gone.ids.length > 0) {
    ctx.out(
      `${gone.ids.length} transcripts are gone from AssemblyAI (deleted; checking again cannot help): ` +
        `mediatag retry --batch ${batch.name} --resubmit transcribes them again (${estimate(gone, price)})`,
    );
  }
  return 0;
}
