import type { Logger } from '@mediatag/logger';
import type { WorkerDeps } from './deps.ts';

// Clocks differ between us, Postgres and AssemblyAI; look a little further back than needed.
const SKEW_MS = 5 * 60_000;
// One page is 200 transcripts; past this many the search gives up (and says so).
const MAX_PAGES = 50;

/**
 * After an attempt whose outcome is unknown (timeout, reset or crash after sending), looks
 * through the account's newest transcripts for one with this audio URL created since the
 * attempt began. Finding it means the file was already paid for: use it, do not submit again.
 */
export async function findEarlierSubmission(
  deps: WorkerDeps,
  url: string,
  since: Date,
  log: Logger,
): Promise<{ id: string; status: string } | undefined> {
  const cutoff = since.getTime() - SKEW_MS;
  let pages = 0;
  for await (const page of deps.aai.iterateTranscriptPages({ limit: 200 })) {
    pages += 1;
    for (const t of page.transcripts) {
      // A presigned URL differs at each signing: match the object, not the signature.
      if (t.audio_url === url || deps.audio.matches(url, t.audio_url)) return { id: t.id, status: t.status };
    }
    const oldest = page.transcripts.at(-1);
    if (!oldest || Date.parse(oldest.created) < cutoff) return undefined;
    if (pages >= MAX_PAGES) {
      log.warn({ url, pages }, 'gave up looking for an earlier submission; submitting again');
      return undefined;
    }
  }
  return undefined;
}
