import { NotFoundError } from '@mediatag/assemblyai';
import { type FileRow, getFile, markCompleted, markFileError, markProcessing } from '@mediatag/db';
import type { Logger } from '@mediatag/logger';
import { addJobs, parsePayload } from '@mediatag/queue';
import type { Job } from 'bullmq';
import type { WorkerDeps } from './deps.ts';
import { AUTH_PAUSE_MS, later } from './errors.ts';
import { textRecord } from './excerpt.ts';
import { resubmitAfterDownloadError, transcriptErrorText } from './redownload.ts';
import type { PollSchedule, SlotReserve } from './schedule.ts';
import { onFailure } from './verdict.ts';

/** Adds the tag jobs of a completed file, one per taxonomy still to do. */
export async function enqueueTagJobs(deps: WorkerDeps, fileId: number, taxonomyIds: number[]): Promise<void> {
  await addJobs(
    deps.queues,
    'tag',
    taxonomyIds.map((taxonomyId) => ({ fileId, taxonomyId })),
  );
}

/** Frees the file's in-flight slot and wakes the submit queue if it was waiting for one. */
async function freeSlot(deps: WorkerDeps, fileId: number): Promise<void> {
  await deps.inFlight.release(fileId, {
    limiter: deps.keys.limiter('transcribe'),
    marker: deps.keys.marker('transcribe'),
  });
}

/** The transcript a check asks about, from its job's payload or read from the file. */
interface Known {
  transcriptId: string;
  /** Epoch ms of the submission. */
  submittedAt: number;
  status: 'queued' | 'processing';
  /** Read from Postgres by this run: a check on it is final. From the payload: to be confirmed. */
  file?: FileRow;
}

/** The payload's transcript was not the file's (or is gone): read the file and check again. */
const STALE = Symbol('stale');

/**
 * The `poll` job: one GET of a saved transcript. Not final yet → the job delays itself (no
 * worker slot held while waiting). Completed → duration and language saved, tag jobs
 * enqueued. Error → the API's reason saved; the file is final. Either way the slot is freed.
 * The submission's own check carries the transcript id, so it reads nothing before the GET;
 * its writes name that id, and when the file has another one now the check reads the file.
 */
export async function processPoll(
  job: Job,
  deps: WorkerDeps,
  schedule: PollSchedule,
  reserve?: SlotReserve,
): Promise<string> {
  const payload = parsePayload('poll', job.data);
  const { fileId } = payload;
  const log = deps.log.child({ module: 'poll', jobId: job.id, fileId });
  const ctx = { schedule, reserve, log, fileId, lastCheckMs: payload.lastCheckMs };
  if (payload.transcriptId !== undefined && payload.submittedAt !== undefined) {
    const status = payload.processing ? 'processing' : 'queued';
    const known = { transcriptId: payload.transcriptId, submittedAt: payload.submittedAt, status } as const;
    const outcome = await check(job, deps, ctx, known);
    if (outcome !== STALE) return outcome;
  }
  const file = await getFile(deps.db, fileId);
  if (!file) return 'missing';
  if (!file.transcriptId) {
    if (file.transcriptStatus === 'pending') {
      await addJobs(deps.queues, 'transcribe', [{ fileId }]);
    }
    return 'not-submitted';
  }
  if (file.transcriptStatus === 'completed' || file.transcriptStatus === 'error') {
    await freeSlot(deps, fileId);
    return `already-${file.transcriptStatus}`;
  }
  const known: Known = {
    transcriptId: file.transcriptId,
    submittedAt: file.submittedAt?.getTime() ?? Date.now(),
    status: file.transcriptStatus === 'processing' ? 'processing' : 'queued',
    file,
  };
  const outcome = await check(job, deps, ctx, known);
  return outcome === STALE ? 'changed' : outcome;
}

/** One GET of the known transcript and what follows from its status; STALE: read the file first. */
async function check(
  job: Job,
  deps: WorkerDeps,
  ctx: {
    schedule: PollSchedule;
    reserve: SlotReserve | undefined;
    log: Logger;
    fileId: number;
    lastCheckMs: number | undefined;
  },
  known: Known,
): Promise<string | typeof STALE> {
  const { schedule, reserve, log, fileId, lastCheckMs } = ctx;
  const confirmed = known.file !== undefined;
  const wait = await deps.apiRate.take(250);
  if (wait > 0) return later(job, wait);

  let transcript: Awaited<ReturnType<typeof deps.aai.getTranscript>>;
  try {
    transcript = await deps.aai.getTranscript(known.transcriptId);
  } catch (error) {
    if (error instanceof NotFoundError) {
      // Gone: but first make sure the file still has this transcript.
      if (!confirmed) return STALE;
      // Deleted by the account or a retention policy: asking again can never succeed, and
      // `retry` must not re-poll it; `retry --resubmit` buys a new transcript.
      await markFileError(deps.db, fileId, 'gone', `transcript gone from AssemblyAI: ${error.message}`);
      await freeSlot(deps, fileId);
      log.warn({ transcriptId: known.transcriptId }, 'transcript gone from AssemblyAI');
      // Completed, not failed: a failed job would keep its id and block the poll job of the
      // transcript `retry --resubmit` buys next.
      return 'gone';
    }
    return onFailure(job, error, {
      async wait(verdict) {
        if (verdict.kind === 'rate-limited') return later(job, verdict.waitMs);
        log.error({ reason: verdict.reason }, 'AssemblyAI rejected the API key; checking again later');
        await deps.health.quietly(deps.health.keyRejected('assemblyai', verdict.reason, AUTH_PAUSE_MS));
        return later(job, AUTH_PAUSE_MS);
      },
      async record(reason) {
        // The id stays saved; `retry` re-polls, never resubmits.
        await markFileError(deps.db, fileId, 'poll', reason);
        await freeSlot(deps, fileId);
      },
    });
  }

  await deps.health.quietly(deps.health.keyAccepted());
  const elapsed = Date.now() - known.submittedAt;
  reserve?.saw(fileId, transcript.status === 'queued' && transcript.throttled === true);
  switch (transcript.status) {
    case 'queued':
    case 'processing': {
      const processing = transcript.status === 'processing';
      if (processing && known.status === 'queued') await markProcessing(deps.db, fileId);
      // The next check knows the transcript without reading the file.
      await job.updateData({
        fileId,
        lastCheckMs: elapsed,
        transcriptId: known.transcriptId,
        submittedAt: known.submittedAt,
        ...(processing || known.status === 'processing' ? { processing: true as const } : {}),
      });
      // Still waiting for a slot at AssemblyAI: its processing has not begun, so the schedule
      // starts again from now rather than from the submission.
      return later(
        job,
        transcript.throttled === true
          ? Math.max(schedule.first(), schedule.next(elapsed))
          : schedule.next(elapsed),
      );
    }
    case 'completed': {
      const done = await markCompleted(
        deps.db,
        fileId,
        {
          audioDuration: transcript.audio_duration ?? null,
          languageCode: transcript.language_code ?? null,
          speechModel: transcript.speech_model_used ?? null,
          // Billed per second of audio; an errored transcript is not billed.
          costUsd:
            transcript.audio_duration == null
              ? null
              : (transcript.audio_duration / 3600) * deps.settings.prices.perAudioHour,
          text: textRecord(transcript.text, deps.settings.tagging),
        },
        // From the payload: only while the file still waits for this transcript.
        confirmed ? undefined : known.transcriptId,
      );
      if (!done.completed) return STALE;
      // A check woken by a webhook or the sweep says little about the schedule.
      if (!deps.settings.webhook && !deps.settings.sweep) schedule.observe(elapsed, lastCheckMs ?? 0);
      await freeSlot(deps, fileId);
      await enqueueTagJobs(deps, fileId, done.taxonomies);
      return 'completed';
    }
    case 'error': {
      // What to do next depends on the file (its URL, whether it is still waiting for this id).
      if (!known.file) return STALE;
      const file = known.file;
      const reason = transcriptErrorText(transcript.error);
      if (await resubmitAfterDownloadError(deps, { ...file, transcriptId: known.transcriptId }, reason)) {
        await freeSlot(deps, fileId);
        log.info(
          { reason, failedTranscriptId: known.transcriptId },
          'download failed: signing again and resubmitting',
        );
        return 'resubmitted';
      }
      await markFileError(deps.db, fileId, 'api', reason);
      await freeSlot(deps, fileId);
      log.info({ reason }, 'transcript ended in error');
      return 'error';
    }
  }
}
