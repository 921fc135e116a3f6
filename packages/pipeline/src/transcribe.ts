import {
  claimSubmission,
  type FileRow,
  getFile,
  markFileError,
  releaseClaim,
  saveTranscriptId,
} from '@mediatag/db';
import type { Logger } from '@mediatag/logger';
import { parsePayload, schedulePoll } from '@mediatag/queue';
import { DelayedError, type Job } from 'bullmq';
import { CAP_RECHECK_MS, holdIfCapped } from './cap.ts';
import type { WorkerDeps } from './deps.ts';
import { AUTH_PAUSE_MS, classify, later, pauseQueue } from './errors.ts';
import { findEarlierSubmission } from './orphans.ts';
import type { PollSchedule, SlotReserve } from './schedule.ts';
import { onFailure } from './verdict.ts';

/**
 * The submit parameters: speech models from config, then the options of the batch that listed
 * the file first (its `speech_models` wins over config); the URL and webhook fields are always
 * mediatag's own.
 */
export function submitParams(deps: Pick<WorkerDeps, 'settings'>, file: FileRow) {
  const hook = deps.settings.webhook;
  return {
    speech_models: deps.settings.speechModels,
    ...file.transcriptionOptions,
    audio_url: file.url,
    ...(hook
      ? {
          webhook_url: hook.url,
          webhook_auth_header_name: hook.headerName,
          webhook_auth_header_value: hook.headerValue,
        }
      : {}),
  };
}

/**
 * The `transcribe` job: submit the file once, save the transcript id before anything else,
 * then hand over to `poll`. Gated by the in-flight budget: with every slot taken the queue
 * pauses instead of holding jobs. A file that already has an id is never submitted again.
 */
export async function processTranscribe(
  job: Job,
  deps: WorkerDeps,
  schedule: PollSchedule,
  reserve?: SlotReserve,
): Promise<string> {
  const { fileId } = parsePayload('transcribe', job.data);
  const log = deps.log.child({ module: 'transcribe', jobId: job.id, fileId });
  // Held by a spending cap moments ago: look again later without taking a slot.
  if (await deps.caps.stillHeld(fileId)) return later(job, CAP_RECHECK_MS);
  // Slot and request token first (one Redis call), then the claim (one statement that also
  // reads the row): the common path costs two round trips before the paid request.
  const budget = await deps.inFlight.acquireWithRate(fileId, deps.apiRate, reserve?.limit());
  if (budget === 'full') return pauseQueue(deps.queues.transcribe, deps.settings.slotWaitMs);
  if (budget !== 'ok') return pauseQueue(deps.queues.transcribe, budget);
  const claim = await claimSubmission(deps.db, fileId, deps.settings.claimTtlMs);
  if (!claim.claimed) {
    const file = await getFile(deps.db, fileId);
    if (!file || file.transcriptId || file.transcriptStatus !== 'pending') {
      // Nothing to submit: the slot is the file's only if it is in flight.
      const inFlight = file?.transcriptStatus === 'queued' || file?.transcriptStatus === 'processing';
      if (!inFlight) await deps.inFlight.release(fileId);
      if (file?.transcriptId && inFlight) await schedulePoll(deps.queues, fileId, 0);
      return file
        ? file.transcriptId
          ? 'already-submitted'
          : `skipped-${file.transcriptStatus}`
        : 'missing';
    }
    // Another attempt holds the claim (a stalled copy of this job, or one that died). Its slot
    // is the same set member, so keep it and look again once that claim could have expired.
    await job.moveToDelayed(Date.now() + Math.min(deps.settings.claimTtlMs, 10_000), job.token);
    throw new DelayedError();
  }
  const file = claim.file;
  if (claim.uncertainSince) {
    const found = await findEarlierSubmission(deps, file, claim.uncertainSince, log);
    if (found) {
      await saveTranscriptId(deps.db, fileId, found.id, found.status);
      log.warn(
        { transcriptId: found.id },
        'found the transcript of an earlier attempt; not submitting again',
      );
      await schedulePoll(deps.queues, fileId, 0);
      return 'recovered';
    }
  }
  // After the lookup above, which costs nothing: a transcript found there is already paid for.
  await holdIfCapped(job, deps, claim, log);
  return submit(job, deps, file, log, schedule);
}

async function submit(
  job: Job,
  deps: WorkerDeps,
  file: FileRow,
  log: Logger,
  schedule: PollSchedule,
): Promise<string> {
  let transcript: { id: string; status: string };
  try {
    transcript = await deps.aai.submitTranscript(
      submitParams(deps, { ...file, url: await deps.audio.forSubmission(file.url) }),
    );
  } catch (error) {
    await deps.inFlight.release(file.id);
    const sent = (error as { sent?: boolean }).sent !== false;
    // Refused outright (never sent, 429, 4xx): no transcript exists. Otherwise it might.
    await releaseClaim(deps.db, file.id, !sent || classify(error).kind !== 'retry');
    return onFailure(job, error, {
      async wait(verdict) {
        if (verdict.kind === 'rate-limited') {
          log.warn(
            { waitMs: verdict.waitMs, requestedMs: verdict.requestedMs },
            'AssemblyAI rate limit: pausing submissions',
          );
          return pauseQueue(deps.queues.transcribe, verdict.waitMs);
        }
        log.error({ reason: verdict.reason }, 'AssemblyAI rejected the API key: pausing submissions');
        await deps.health.quietly(deps.health.keyRejected('assemblyai', verdict.reason, AUTH_PAUSE_MS));
        return pauseQueue(deps.queues.transcribe, AUTH_PAUSE_MS);
      },
      async record(reason, cause) {
        await markFileError(deps.db, file.id, 'submit', reason);
        if (cause === 'permanent') log.warn({ reason }, 'submission refused');
      },
      retrying: (reason) =>
        log.warn({ reason, attempt: job.attemptsMade + 1 }, 'submission failed; will retry'),
    });
  }
  // The paid-for id goes to Postgres before anything else happens with it.
  try {
    await saveTranscriptId(deps.db, file.id, transcript.id, transcript.status);
  } catch (error) {
    // Paid for and not recorded: the next attempt looks for it among the account's recent
    // transcripts, but say it where a person can adopt it if that search cannot reach it.
    log.error(
      { transcriptId: transcript.id, url: file.url, err: (error as Error).message },
      'submitted, but saving the transcript id failed: this transcript must be adopted, not paid for again',
    );
    throw error;
  }
  await deps.health.quietly(deps.health.keyAccepted());
  log.debug({ transcriptId: transcript.id }, 'submitted');
  // With webhooks or the completion sweep the check is only a fallback (a lost delivery, a
  // sweep that did not reach the transcript).
  const fallbackOnly = deps.settings.webhook !== undefined || deps.settings.sweep !== undefined;
  const firstCheck = fallbackOnly ? deps.settings.poll.maxMs * 5 : schedule.first();
  await schedulePoll(deps.queues, file.id, firstCheck, {
    transcriptId: transcript.id,
    submittedAt: Date.now(),
  });
  return 'submitted';
}
