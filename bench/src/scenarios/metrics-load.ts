// Scenario: /metrics under scrape load on a big database. 1,000,000 media files and
// 1,000,000 tag results in a scratch database (generate_series, dropped afterwards), a real
// `mediatag serve` on loopback, 16 clients scraping /metrics back to back for 25 s while a
// probe asks /healthz every 100 ms. Measures /healthz latency and the CPU Postgres spent.
import { randomBytes } from 'node:crypto';
import { createPool, migrate } from '@mediatag/db';
import { dropDatabase } from '@mediatag/db/testing';
import { createRedis } from '@mediatag/queue';
import { CpuMeter } from '../lib/cpu.ts';
import { sleep } from '../lib/proc.ts';
import { type BenchContext, fmt, type Row, type Scenario, type ScenarioResult } from '../lib/report.ts';
import { freePort, startServe } from '../lib/serve.ts';
import { deletePrefix, PG_SERVER, REDIS_URL } from '../lib/stack.ts';

const ROWS = 1_000_000;
const SCRAPERS = 16;
const RUN_MS = 25_000;
const PROBE_EVERY_MS = 100;

/** Fills the scratch database: mostly finished files with their tag results, a small backlog. */
async function fill(url: string): Promise<void> {
  const pool = createPool(url, { max: 2 });
  try {
    const { rows } = await pool.query<{ id: number; tag: string }>(
      `SELECT id, tags->0->>'name' AS tag FROM taxonomies WHERE name = 'media' LIMIT 1`,
    );
    const taxonomy = rows[0];
    if (!taxonomy) throw new Error('no media taxonomy after migrate');
    // 99% completed, the rest spread over the unfinished states and error.
    await pool.query(
      `INSERT INTO media_files (url, transcript_id, transcript_status, audio_duration_s, cost_usd)
       SELECT 'https://bench.example/' || i || '.mp3',
              CASE WHEN i % 100 = 1 THEN NULL ELSE 't' || i END,
              CASE i % 100 WHEN 1 THEN 'pending' WHEN 2 THEN 'queued' WHEN 3 THEN 'processing'
                           WHEN 4 THEN 'error' ELSE 'completed' END,
              CASE WHEN i % 100 > 4 THEN 600 + i % 3000 END,
              CASE WHEN i % 100 > 4 THEN 0.035 END
       FROM generate_series(1, $1::int) AS i`,
      [ROWS],
    );
    await pool.query(
      `INSERT INTO tag_results (media_file_id, taxonomy_id, status, topic, input_tokens, output_tokens, cost_usd)
       SELECT id, $1, 'tagged', $2, 1000, 5, 0.003075 FROM media_files`,
      [taxonomy.id, taxonomy.tag],
    );
    // What autovacuum would have done by the time a table has 1M rows.
    await pool.query('VACUUM ANALYZE media_files');
    await pool.query('VACUUM ANALYZE tag_results');
  } finally {
    await pool.end();
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

export const metricsLoad: Scenario = {
  name: 'metrics-load',
  title: `/healthz while ${SCRAPERS} clients scrape /metrics, ${ROWS.toLocaleString('en-US')} rows per table`,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const id = randomBytes(4).toString('hex');
    const dbName = `mt_bench_metrics_${id}`;
    const dbUrl = `${PG_SERVER}/${dbName}`;
    const prefix = `mt-bench-metrics-${id}`;
    const redis = createRedis(REDIS_URL, 'producer');
    let serve: Awaited<ReturnType<typeof startServe>> | undefined;
    try {
      await migrate(dbUrl);
      const t = performance.now();
      await fill(dbUrl);
      const fillMs = performance.now() - t;
      ctx.log(`   filled ${fmt.int(ROWS)} files + ${fmt.int(ROWS)} tag results in ${fmt.s(fillMs)}`);

      const port = await freePort();
      serve = await startServe({
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATABASE_URL: dbUrl,
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      });
      const url = serve.url;
      const cpu = new CpuMeter(() => (serve?.child.pid ? [serve.child.pid] : []));
      cpu.begin();
      const end = performance.now() + RUN_MS;

      let scrapes = 0;
      const scrapeStatuses = new Map<number, number>();
      const scraper = async () => {
        // Bounded: stops at `end`, and each request is cut at 15 s.
        while (performance.now() < end) {
          try {
            const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(15_000) });
            await res.text();
            scrapeStatuses.set(res.status, (scrapeStatuses.get(res.status) ?? 0) + 1);
          } catch {
            scrapeStatuses.set(0, (scrapeStatuses.get(0) ?? 0) + 1);
          }
          scrapes++;
        }
      };
      const latencies: number[] = [];
      const probeStatuses = new Map<number, number>();
      const probe = async () => {
        while (performance.now() < end) {
          const started = performance.now();
          let status = 0;
          try {
            const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
            await res.text();
            status = res.status;
          } catch {
            status = 0;
          }
          const ms = performance.now() - started;
          latencies.push(ms);
          probeStatuses.set(status, (probeStatuses.get(status) ?? 0) + 1);
          await sleep(Math.max(0, PROBE_EVERY_MS - ms));
        }
      };
      await Promise.all([probe(), ...Array.from({ length: SCRAPERS }, scraper)]);
      const report = cpu.end();

      latencies.sort((a, b) => a - b);
      const p50 = percentile(latencies, 50);
      const p99 = percentile(latencies, 99);
      const ok = probeStatuses.get(200) ?? 0;
      const pgCpuS = report.seconds.postgres ?? 0;
      const pgShare = pgCpuS / report.wallS;
      const caseName = `${SCRAPERS} scrapers, ${fmt.int(ROWS)} rows`;
      const rows: Row[] = [
        {
          scenario: 'metrics-load',
          case: caseName,
          figure: `/healthz p50 ${fmt.num(p50)} ms, p99 ${fmt.num(p99)} ms`,
          value: p99,
          unit: 'ms',
          target: 'p99 < 100 ms',
          pass: p99 < 100,
        },
        {
          scenario: 'metrics-load',
          case: caseName,
          figure: `/healthz ${ok} of ${latencies.length} answered 200`,
          value: ok / Math.max(1, latencies.length),
          unit: '',
          target: 'all 200',
          pass: ok === latencies.length && ok > 0,
        },
        {
          scenario: 'metrics-load',
          case: caseName,
          figure: `Postgres ${fmt.num(pgCpuS)} CPU-s in ${fmt.num(report.wallS)} s (${fmt.pct(pgShare)} of a core)`,
          value: pgShare,
          unit: 'core',
          target: '< 10% of a core',
          pass: pgShare < 0.1,
        },
        {
          scenario: 'metrics-load',
          case: caseName,
          figure: `${fmt.int(scrapes)} scrapes (${fmt.num(scrapes / (report.wallS || 1))}/s)`,
          value: scrapes,
          unit: 'scrapes',
          target: '—',
          pass: null,
        },
      ];
      return {
        rows,
        details: {
          rows: ROWS,
          fillMs,
          scrapers: SCRAPERS,
          runMs: RUN_MS,
          scrapes,
          scrapeStatuses: Object.fromEntries(scrapeStatuses),
          healthz: {
            probes: latencies.length,
            statuses: Object.fromEntries(probeStatuses),
            p50,
            p99,
            max: latencies.at(-1),
          },
          cpu: report,
        },
      };
    } finally {
      await serve?.stop();
      await deletePrefix(redis, prefix).catch(() => 0);
      redis.disconnect();
      await dropDatabase(dbName);
    }
  },
};
