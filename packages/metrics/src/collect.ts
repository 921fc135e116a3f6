import { type Db, TAG_STATUSES, TRANSCRIPT_STATUSES } from '@mediatag/db';
import { QUEUE_NAMES, type Queues, type RedisClient, redisKeys } from '@mediatag/queue';
import { Counter, Gauge, Registry } from 'prom-client';
import { parseRequestHash, renderDurationHistogram } from './requests.ts';

/** Content type of the Prometheus text format served by /metrics. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** Job states exported per queue (BullMQ 6 has no `paused` state any more). */
export const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

export interface CollectSources {
  db: Db;
  redis: RedisClient;
  /** The deployment's queues; its other keys (in-flight set, counters) follow from their prefix. */
  queues: Queues;
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

// Exact totals (every status, every sum) need a scan of each table: about 0.3 s per 1M
// rows on a 2-core machine. They are taken at most as often as PgTotals allows; the casts
// make pg return JS numbers instead of strings.
const FILES_SQL = `SELECT transcript_status AS status, count(*)::float8 AS n,
  coalesce(sum(audio_duration_s) FILTER (WHERE transcript_status = 'completed'), 0)::float8 AS audio_s,
  coalesce(sum(cost_usd), 0)::float8 AS cost
FROM media_files GROUP BY transcript_status`;

const TAGS_SQL = `SELECT status, count(*)::float8 AS n,
  coalesce(sum(input_tokens), 0)::float8 AS input_tokens,
  coalesce(sum(output_tokens), 0)::float8 AS output_tokens,
  coalesce(sum(cost_usd), 0)::float8 AS cost
FROM tag_results GROUP BY status`;

// The backlog, fresh at every collection: the WHERE clauses are the predicates of the
// partial indexes media_files_unfinished_idx and tag_results_unfinished_idx, so these read
// only unfinished rows (cost proportional to the backlog, not to the table).
const UNFINISHED_FILE_STATUSES = ['pending', 'queued', 'processing'] as const;
const UNFINISHED_TAG_STATUSES = ['pending', 'error'] as const;
const FILES_UNFINISHED_SQL = `SELECT transcript_status AS status, count(*)::float8 AS n
FROM media_files WHERE transcript_status IN ('pending', 'queued', 'processing') GROUP BY transcript_status`;
const TAGS_UNFINISHED_SQL = `SELECT status, count(*)::float8 AS n
FROM tag_results WHERE status IN ('pending', 'error') GROUP BY status`;

/** Share of wall time the exact scans may take: 0.5%, whatever the tables grow to. */
const SCAN_DUTY_CYCLE = 0.005;

type Query = Db['$client'];

/**
 * Postgres figures for /metrics without a full scan per collection. The exact scan runs
 * again only once `scanMs / SCAN_DUTY_CYCLE` has passed since the last one (a 2 ms scan of a
 * small table: every collection; a 0.3 s scan of 1M rows: once a minute; 3 s: every 10
 * minutes). In between, unfinished counts come fresh from the partial indexes and the finished
 * counts and sums are those of the last scan, so they lag by at most that interval.
 */
export class PgTotals {
  private last: { at: number; scanMs: number; files: FileRow[]; tags: TagRow[] } | undefined;
  /** Exact scans so far. */
  scans = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Rows per status with their sums, as FILES_SQL and TAGS_SQL return them. */
  async read(pool: Query): Promise<{ files: FileRow[]; tags: TagRow[] }> {
    const last = this.last;
    if (!last || this.now() - last.at >= last.scanMs / SCAN_DUTY_CYCLE) {
      const started = this.now();
      const [files, tags] = await Promise.all([pool.query<FileRow>(FILES_SQL), pool.query<TagRow>(TAGS_SQL)]);
      this.scans++;
      this.last = { at: this.now(), scanMs: this.now() - started, files: files.rows, tags: tags.rows };
      return { files: files.rows, tags: tags.rows };
    }
    const [files, tags] = await Promise.all([
      pool.query<{ status: string; n: number }>(FILES_UNFINISHED_SQL),
      pool.query<{ status: string; n: number }>(TAGS_UNFINISHED_SQL),
    ]);
    return {
      files: withCounts(last.files, UNFINISHED_FILE_STATUSES, files.rows, { audio_s: 0, cost: 0 }),
      tags: withCounts(last.tags, UNFINISHED_TAG_STATUSES, tags.rows, {
        input_tokens: 0,
        output_tokens: 0,
        cost: 0,
      }),
    };
  }
}

/** The scanned rows with the counts of `statuses` replaced by fresh ones (0 when absent). */
function withCounts<R extends { status: string; n: number }>(
  scanned: R[],
  statuses: readonly string[],
  fresh: { status: string; n: number }[],
  zero: Omit<R, 'status' | 'n'>,
): R[] {
  const rows = scanned.map((row) => (statuses.includes(row.status) ? { ...row, n: 0 } : row));
  for (const { status, n } of fresh) {
    const row = rows.find((r) => r.status === status);
    if (row) row.n = n;
    else rows.push({ ...zero, status, n } as R);
  }
  return rows;
}

/**
 * One collection: queue depths and in-flight slots from Redis (a few O(1) commands per queue),
 * the workers' API counters from the shared hash (one HGETALL of a few hundred fields), and
 * files, tokens and cost from Postgres through `pg` (see PgTotals for what that costs;
 * without one, every call scans). A fresh registry each time, so series that disappeared do
 * not linger and concurrent collections cannot interfere.
 */
export async function collectMetrics(sources: CollectSources, pg = new PgTotals()): Promise<string> {
  const { db, redis, queues } = sources;
  const keys = redisKeys(queues.prefix);
  const [jobCounts, inFlight, hash, { files, tags }] = await Promise.all([
    Promise.all(QUEUE_NAMES.map((name) => queues[name].getJobCounts(...JOB_STATES, 'prioritized'))),
    redis.zcard(keys.inflight),
    redis.hgetall(keys.metrics),
    pg.read(db.$client),
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
    const counts = jobCounts[i] ?? {};
    for (const state of JOB_STATES) jobs.set({ queue, state }, counts[state] ?? 0);
    // Transcribe jobs of known length wait as `prioritized` (longest first): still waiting.
    jobs.inc({ queue, state: 'waiting' }, counts.prioritized ?? 0);
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
  for (const row of files) {
    fileGauge.set({ transcript_status: row.status }, row.n);
    sum.audioS += row.audio_s;
    sum.transcription += row.cost;
  }
  for (const row of tags) {
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
