import { apiTimeMs } from '@mediatag/assemblyai';
import { markSearchGaveUp } from '@mediatag/db';
import type { Logger } from '@mediatag/logger';
import type { WorkerDeps } from './deps.ts';

// Clocks differ between us, Postgres and AssemblyAI; look a little further back than needed.
const SKEW_MS = 5 * 60_000;

/**
 * After an attempt whose outcome is unknown (timeout, reset or crash after sending), looks
 * through the account's newest transcripts for one with this audio URL created since the
 * attempt began. Finding it means the file was already paid for: use it, do not submit again.
 */
export async function findEarlierSubmission(
  deps: WorkerDeps,
  file: { id: number; url: string },
  since: Date,
  log: Logger,
): Promise<{ id: string; status: string } | undefined> {
  const { url } = file;
  const { pageSize, maxPages } = deps.settings.orphanSearch;
  const cutoff = since.getTime() - SKEW_MS;
  let pages = 0;
  for await (const page of deps.aai.iterateTranscriptPages({ limit: pageSize })) {
    pages += 1;
    for (const t of page.transcripts) {
      // A presigned URL differs at each signing: match the object, not the signature.
      if (t.audio_url === url || deps.audio.matches(url, t.audio_url)) return { id: t.id, status: t.status };
    }
    const oldest = page.transcripts.at(-1);
    if (!oldest || apiTimeMs(oldest.created) < cutoff) return undefined;
    if (pages >= maxPages) {
      // Recorded where `mediatag status` shows it: this file may be paid for twice.
      await markSearchGaveUp(deps.db, file.id);
      log.warn(
        { url, transcriptsSearched: pages * pageSize },
        'gave up looking for an earlier submission; submitting again (status reports it)',
      );
      return undefined;
    }
  }
  return undefined;
}
