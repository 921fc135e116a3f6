import { exportQueueMetrics } from './bullmq.ts';
import { SingleFlightCache } from './cache.ts';
import { type CollectSources, collectMetrics, PgTotals } from './collect.ts';

/** What /metrics serves: one collection per `cacheMs` at most, however many scrapers ask. */
export interface Scraper {
  /** The whole exposition (ours and BullMQ's), from cache or from the collection in flight. */
  scrape(): Promise<string>;
  /** Collections started so far. */
  readonly collections: number;
  /** Exact Postgres scans so far (see PgTotals). */
  readonly scans: number;
}

/** Builds the /metrics source over the given connections; `cacheMs` is METRICS_CACHE_S in ms. */
export function createScraper(sources: CollectSources, cacheMs: number): Scraper {
  const totals = new PgTotals();
  const cache = new SingleFlightCache(async () => {
    const [ours, bullmq] = await Promise.all([
      collectMetrics(sources, totals),
      exportQueueMetrics(sources.queues),
    ]);
    return `${ours}\n${bullmq}`;
  }, cacheMs);
  return {
    scrape: () => cache.get(),
    get collections() {
      return cache.runs;
    },
    get scans() {
      return totals.scans;
    },
  };
}
