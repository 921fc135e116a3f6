import { NotFoundError } from '@mediatag/assemblyai';
import { getFile, markCompleted, markFileError, markProcessing } from '@mediatag/db';
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

/**
 * The `poll` job: one GET of a saved transcript. Not final yet → the job delays itself (no
 * worker slot held while waiting). Completed → duration and language saved, tag jobs
 * enqueued. Error → the API's reason saved; the file is final. Either way the slot is freed.
 */
export async function processPoll(
  job: Job,
  deps: WorkerDeps,
  schedule: PollSchedule,
  reserve?: SlotReserve,
): Promise<string> {
  const { fileId, lastCheckMs } = parsePayload('poll', job.data);
  const log = deps.log.child({ module: 'poll', jobId: job.id, fileId });
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
  const wait = await deps.apiRate.take(250);
  if (wait > 0) return later(job, wait);

  let transcript: Awaited<ReturnType<typeof deps.aai.getTranscript>>;
  try {
    transcript = await deps.aai.getTranscript(file.transcriptId);
  } catch (error) {
    if (error instanceof NotFoundError) {
      // Deleted by the account or a retention policy: asking again can never succeed, and
      // `retry` must not re-poll it; `retry --resubmit` buys a new transcript.
      await markFileError(deps.db, fileId, 'gone', `transcript gone from AssemblyAI: ${error.message}`);
      await freeSlot(deps, fileId);
      log.warn({ transcriptId: file.transcriptId }, 'transcript gone from AssemblyAI');
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
  const elapsed = Date.now() - (file.submittedAt?.getTime() ?? Date.now());
  reserve?.saw(fileId, transcript.status === 'queued' && transcript.throttled === true);
  switch (transcript.status) {
    case 'queued':
    case 'processing':
      if (transcript.status === 'processing' && file.transcriptStatus === 'queued')
        await markProcessing(deps.db, fileId);
      await job.updateData({ fileId, lastCheckMs: elapsed });
      // Still waiting for a slot at AssemblyAI: its processing has not begun, so the schedule
      // starts again from now rather than from the submission.
      return later(
        job,
        transcript.throttled === true
          ? Math.max(schedule.first(), schedule.next(elapsed))
          : schedule.next(elapsed),
      );
    case 'completed': {
      const taxonomies = await markCompleted(deps.db, fileId, {
        audioDuration: transcript.audio_duration ?? null,
        languageCode: transcript.language_code ?? null,
        speechModel: transcript.speech_model_used ?? null,
        // Billed per second of audio; an errored transcript is not billed.
        costUsd:
          transcript.audio_duration == null
            ? null
            : (transcript.audio_duration / 3600) * deps.settings.prices.perAudioHour,
        text: textRecord(transcript.text, deps.settings.tagging),
      });
      // A check woken by a webhook or the sweep says little about the schedule.
      if (!deps.settings.webhook && !deps.settings.sweep) schedule.observe(elapsed, lastCheckMs ?? 0);
      await freeSlot(deps, fileId);
      await enqueueTagJobs(deps, fileId, taxonomies);
      return 'completed';
    }
    case 'error': {
      const reason = transcriptErrorText(transcript.error);
      if (await resubmitAfterDownloadError(deps, { ...file, transcriptId: file.transcriptId }, reason)) {
        await freeSlot(deps, fileId);
        log.info(
          { reason, failedTranscriptId: file.transcriptId },
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
