import { requeueAfterDownloadError } from '@mediatag/db';
import { ensureJobs } from '@mediatag/queue';
import { isS3Identity, scrubSignedUrls } from '@mediatag/s3';
import type { WorkerDeps } from './deps.ts';

// AssemblyAI's text when it could not fetch audio_url (expired or refused presigned URL, 403, 404).
const DOWNLOAD_ERROR = /download error|unable to download/i;

/** The reason a transcript failed, safe to store and log: a quoted presigned URL loses its signature. */
export function transcriptErrorText(error: string | null | undefined): string {
  return scrubSignedUrls(error ?? 'transcription failed (no reason given)');
}

/**
 * A transcript of an `s3://` file that failed to download its presigned URL (it expired
 * while the job waited in AssemblyAI's queue, or was refused) is signed afresh and submitted
 * once more, automatically: a failed transcript is not billed. The failed id is kept in
 * failed_transcript_ids, as `mediatag retry` does. Returns false when this file gets no
 * second try (not S3, another error, or already retried once).
 */
export async function resubmitAfterDownloadError(
  deps: WorkerDeps,
  file: { id: number; url: string; transcriptId: string },
  error: string | null | undefined,
): Promise<boolean> {
  if (!isS3Identity(file.url) || !DOWNLOAD_ERROR.test(error ?? '')) return false;
  if (!(await requeueAfterDownloadError(deps.db, file.id, file.transcriptId))) return false;
  // The earlier transcribe job may still be kept as completed under the same id: replace it.
  await ensureJobs(deps.queues, 'transcribe', [{ fileId: file.id }]);
  return true;
}
