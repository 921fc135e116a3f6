import { type Db, feedStatuses } from '@mediatag/db';

/** One line per watched feed of a batch (or of every batch) for `mediatag status`. */
export async function feedStatusLines(db: Db, batch: string | undefined): Promise<string[]> {
  return (await feedStatuses(db, batch)).map((f) => {
    const name = f.title ? `${f.title} <${f.url}>` : f.url;
    const seen = f.lastFetchedAt
      ? `last fetched ${f.lastFetchedAt.toISOString()} (${f.lastStatus})`
      : 'not fetched yet';
    const health =
      f.consecutiveFailures > 0
        ? `${f.dead ? 'DEAD: failing for over a day' : 'FAILING'} (${f.consecutiveFailures}× since ${f.failingSince?.toISOString()}): ${f.lastError}; next try ${f.nextFetchAt?.toISOString() ?? 'next cycle'}`
        : 'ok';
    return `  feed ${f.batch}: ${name}: ${seen}, ${f.itemsSeen} items, ${f.episodesAdded} episodes added, ${health}`;
  });
}
