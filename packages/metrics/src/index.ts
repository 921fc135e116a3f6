export { exportQueueMetrics, mergeExpositions } from './bullmq.ts';
export { SingleFlightCache } from './cache.ts';
export {
  type CollectSources,
  collectMetrics,
  JOB_STATES,
  METRICS_CONTENT_TYPE,
  PgTotals,
} from './collect.ts';
export { type Api, DURATION_BUCKETS } from './fields.ts';
export { MetricsRecorder, type MetricsRecorderOptions, type RequestObservation } from './recorder.ts';
export { createScraper, type Scraper } from './scrape.ts';
