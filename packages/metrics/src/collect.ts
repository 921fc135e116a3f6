import { type Db, TAG_STATUSES, TRANSCRIPT_STATUSES } from '@mediatag/db';
import { QUEUE_NAMES, type Queues } from '@mediatag/queue';
import type { Redis } from 'ioredis';
import { Counter, Gauge, Registry } from 'prom-client';
import { metricsKey } from './fields.ts';
import { parseRequestHash, renderDurationHistogram } from './requests.ts';

/** Content type of the Prometheus text format served by /metrics. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** Job states exported per queue (BullMQ 6 has no `paused` state any more). */
export const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

export interface CollectSources {
  db: Db;
  redis: Redis;
  queues: Queues;
  /** `${QUEUE_PREFIX}:mediatag`, as the workers use it. */
  keyPrefix: string;
}

interface FileRow {
  status: string;
  n: number;
  audio_s: number;
  cost: number;
}

interface TagRow {
  status: string;
  n: number;
  input_tokens: number;
  output_tokens: number;
  cost: number;
}

// One scan per table per scrape: the totals cover every row, so no index can answer them;
// the casts make pg return JS numbers instead of strings.
const FILES_SQL = `SELECT transcript_status AS status, count(*)::float8 AS n,
  coalesce(sum(audio_duration_s) FILTER (WHERE transcript_status = 'completed'), 0)::float8 AS audio_s,
  coalesce(sum(cost_usd), 0)::float8 AS cost
FROM media_files GROUP BY transcript_status`;

const TAGS_SQL = `SELECT status, count(*)::float8 AS n,
  coalesce(sum(input_tokens), 0)::float8 AS input_tokens,
  coalesce(sum(output_tokens), 0)::float8 AS output_tokens,
  coalesce(sum(cost_usd), 0)::float8 AS cost
FROM tag_results GROUP BY status`;

/**
 * One scrape: queue depths and in-flight slots from Redis, the workers' API counters from
 * the shared hash, and files, tokens and cost from Postgres. A fresh registry each time, so
 * series that disappeared do not linger and concurrent scrapes cannot interfere.
 */
export async function collectMetrics(sources: CollectSources): Promise<string> {
  const { db, redis, queues, keyPrefix } = sources;
  const [jobCounts, inFlight, hash, files, tags] = await Promise.all([
    Promise.all(QUEUE_NAMES.map((name) => queues[name].getJobCounts(...JOB_STATES))),
    redis.zcard(`${keyPrefix}:inflight`),
    redis.hgetall(metricsKey(keyPrefix)),
    db.$client.query<FileRow>(FILES_SQL),
    db.$client.query<TagRow>(TAGS_SQL),
  ]);
  const registry = new Registry();
  const registers = [registry];

  const jobs = new Gauge({
    name: 'mediatag_queue_jobs',
    help: 'BullMQ jobs per queue and state (completed jobs are removed at once, so usually 0)',
    labelNames: ['queue', 'state'],
    registers,
  });
  QUEUE_NAMES.forEach((queue, i) => {
    for (const state of JOB_STATES) jobs.set({ queue, state }, jobCounts[i]?.[state] ?? 0);
  });
  new Gauge({
    name: 'mediatag_in_flight_transcripts',
    help: 'Transcripts submitted and not finished, across all workers (bounded by MAX_IN_FLIGHT)',
    registers,
  }).set(inFlight);

  const totals = parseRequestHash(hash);
  const requests = new Counter({
    name: 'mediatag_api_requests_total',
    help: 'HTTP attempts to AssemblyAI and the LLM Gateway by route and status (or error code)',
    labelNames: ['api', 'method', 'route', 'status'],
    registers,
  });
  for (const { labels, value } of totals.requests) requests.inc(labels, value);
  const limited = new Counter({
    name: 'mediatag_api_rate_limited_total',
    help: 'Rate-limit hits (429 answers) per API',
    labelNames: ['api'],
    registers,
  });
  for (const { api, value } of totals.rateLimited) limited.inc({ api }, value);

  const fileGauge = new Gauge({
    name: 'mediatag_files',
    help: 'Media files per transcript status',
    labelNames: ['transcript_status'],
    registers,
  });
  const tagGauge = new Gauge({
    name: 'mediatag_tag_results',
    help: 'Tag results per status',
    labelNames: ['status'],
    registers,
  });
  // Every status is exported, zeros included, so dashboards and alerts see a series from the start.
  for (const status of TRANSCRIPT_STATUSES) fileGauge.set({ transcript_status: status }, 0);
  for (const status of TAG_STATUSES) tagGauge.set({ status }, 0);
  const sum = { audioS: 0, input: 0, output: 0, transcription: 0, llm: 0 };
  for (const row of files.rows) {
    fileGauge.set({ transcript_status: row.status }, row.n);
    sum.audioS += row.audio_s;
    sum.transcription += row.cost;
  }
  for (const row of tags.rows) {
    tagGauge.set({ status: row.status }, row.n);
    sum.input += row.input_tokens;
    sum.output += row.output_tokens;
    sum.llm += row.cost;
  }
  new Counter({
    name: 'mediatag_audio_hours_total',
    help: 'Hours of audio transcribed (completed transcripts)',
    registers,
  }).inc(sum.audioS / 3600);
  const tokens = new Counter({
    name: 'mediatag_llm_tokens_total',
    help: 'LLM Gateway tokens used by stored tag results',
    labelNames: ['direction'],
    registers,
  });
  tokens.inc({ direction: 'input' }, sum.input);
  tokens.inc({ direction: 'output' }, sum.output);
  const cost = new Counter({
    name: 'mediatag_cost_usd_total',
    help: 'Estimated spend in USD at the configured prices',
    labelNames: ['kind'],
    registers,
  });
  cost.inc({ kind: 'transcription' }, sum.transcription);
  cost.inc({ kind: 'llm' }, sum.llm);
  return `${await registry.metrics()}\n${renderDurationHistogram(totals.durations)}`;
}
