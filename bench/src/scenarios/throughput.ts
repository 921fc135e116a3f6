// Scenario 1: end-to-end throughput (transcribed AND tagged) with zero emulated processing
// time, so what is measured is mediatag's own overhead: Postgres, Redis, HTTP, BullMQ.
import { join } from 'node:path';
import { CpuMeter, type CpuReport } from '../lib/cpu.ts';
import { type BenchContext, fmt, type Row, type Scenario, type ScenarioResult } from '../lib/report.ts';
import { Stack } from '../lib/stack.ts';
import { sampleUrls, writeLines } from '../lib/workload.ts';

const TARGET = 400;
// Per queue per process (checks get twice as many); measured best on this 2-core machine.
const CONCURRENCY = 50;

/** Budgets far above anything reachable: this scenario measures the pipeline, not the limits. */
export const UNLIMITED = {
  emulator: {
    timeScale: 0,
    concurrency: 1_000_000,
    rateLimit: { requests: 100_000_000, windowSeconds: 300 },
    gateway: { requestsPerMinute: 100_000_000 },
  },
  env: {
    MAX_IN_FLIGHT: '2000',
    ASSEMBLYAI_RATE_LIMIT: '100000000/300',
    LLM_RATE_LIMIT: '100000000/60',
    // Zero processing time: the first check may come at once (the 3 s default is 3 emulated s).
    POLL_MIN_MS: '10',
    POLL_MAX_MS: '1000',
    // Each transcript checked on its own schedule: the figure is the pipeline's own overhead
    // per file, not a sweep interval's.
    POLL_SWEEP_MS: '0',
  },
};

export interface ThroughputCase {
  n: number;
  workers: number;
  enqueueMs: number;
  drainMs: number;
  filesPerSecond: number;
  endToEndPerSecond: number;
  tagged: number;
  unmatched: number;
  failed: number;
  submissions: number;
  duplicates: number;
  getsPerTranscript: number;
  workerPeakRssMb: number[];
  cpu: CpuReport;
  /** Postgres transactions on the run's database per file during the drain (= statements: each autocommits). */
  statementsPerFile: number;
  /** Postgres CPU ms per file: the whole server (other sessions on this machine count too) … */
  postgresCpuMsPerFile: number;
  /** … and only the backends of this run's database (no WAL writer or other shared process). */
  backendCpuMsPerFile: number;
  /** Share of `media_files` / `tag_results` row updates that were HOT (no index entry written). */
  hotShare: { mediaFiles: number; tagResults: number };
}

/** Enqueues N sample URLs with the workers warm (queue paused), then times the drain. */
export async function throughputCase(
  ctx: BenchContext,
  n: number,
  workers: number,
  concurrency = CONCURRENCY,
): Promise<ThroughputCase> {
  const stack = await Stack.start({ name: `tp-${n}-${workers}`, ...UNLIMITED });
  try {
    const file = join(ctx.tmpDir, `throughput-${n}.txt`);
    await writeLines(file, sampleUrls(stack.emulator.url, n));
    // Workers start (tsx compile, connections) before the clock: paused, they take nothing.
    await stack.pauseSubmissions(true);
    for (let i = 0; i < workers; i++) stack.spawnWorker({ concurrency });
    await stack.workersReady();
    const enqueue = await stack.enqueue(file, 'throughput');
    const cpu = new CpuMeter(() => stack.workers.map((w) => w.pid));
    const pgBefore = await stack.pgCounters();
    cpu.begin();
    const started = performance.now();
    await stack.pauseSubmissions(false);
    const p = await stack.waitFinal('throughput', {
      timeoutMs: Math.max(120_000, n * 20),
      intervalMs: 250,
      total: n,
    });
    const drainMs = performance.now() - started;
    const backends = await stack.backendPids();
    const cpuReport = cpu.end();
    const workerPeakRssMb = stack.workers.map((w) => Math.round(w.rss.sample()));
    // Backends report their counters when idle or gone: stop the workers before reading them.
    await Promise.all(stack.alive().map((w) => stack.stopWorker(w, 'SIGTERM', 10_000)));
    const pgAfter = await stack.pgCounters();
    const share = (hot: number, all: number) => (all > 0 ? Math.round((hot / all) * 1000) / 1000 : 0);
    const stats = stack.emulator.stats();
    const result: ThroughputCase = {
      n,
      workers,
      enqueueMs: enqueue.wallMs,
      drainMs,
      filesPerSecond: n / (drainMs / 1000),
      endToEndPerSecond: n / ((drainMs + enqueue.wallMs) / 1000),
      tagged: p.tagged,
      unmatched: p.unmatched,
      failed: p.failed,
      submissions: stats.submissions,
      duplicates: Object.keys(stats.submissionsByAudioUrl.duplicates).length,
      getsPerTranscript: stats.getsByTranscript.meanPerCompletedTranscript,
      workerPeakRssMb,
      cpu: cpuReport,
      statementsPerFile: Math.round(((pgAfter.transactions - pgBefore.transactions) / n) * 100) / 100,
      postgresCpuMsPerFile: Math.round(((cpuReport.seconds.postgres ?? 0) * 1000 * 100) / n) / 100,
      backendCpuMsPerFile: Math.round((cpu.secondsOf(backends) * 1000 * 100) / n) / 100,
      hotShare: {
        mediaFiles: share(
          pgAfter.mediaFiles.hot - pgBefore.mediaFiles.hot,
          pgAfter.mediaFiles.updates - pgBefore.mediaFiles.updates,
        ),
        tagResults: share(
          pgAfter.tagResults.hot - pgBefore.tagResults.hot,
          pgAfter.tagResults.updates - pgBefore.tagResults.updates,
        ),
      },
    };
    ctx.log(
      `  N=${n}, ${workers} worker(s): ${fmt.int(result.filesPerSecond)} files/s (enqueue ${fmt.s(result.enqueueMs)}, drain ${fmt.s(drainMs)}), ${p.tagged} tagged, ${p.unmatched} unmatched, ${p.failed} failed; CPU s ${JSON.stringify(cpuReport.seconds)}, machine busy ${fmt.pct(cpuReport.machineBusy)}; ${result.statementsPerFile} statements per file, Postgres CPU ${result.postgresCpuMsPerFile} ms per file (this run's backends ${result.backendCpuMsPerFile}), HOT updates media_files ${fmt.pct(result.hotShare.mediaFiles)} tag_results ${fmt.pct(result.hotShare.tagResults)}`,
    );
    return result;
  } finally {
    await stack.close();
  }
}

export const throughput: Scenario = {
  name: 'throughput',
  title: 'end-to-end throughput, zero processing time',
  async run(ctx): Promise<ScenarioResult> {
    const cases: ThroughputCase[] = [];
    if (ctx.quick) {
      cases.push(await throughputCase(ctx, 2_000, 2));
    } else {
      for (const workers of [1, 2]) cases.push(await throughputCase(ctx, 2_000, workers));
      // 20,000 files take 50 s at the 400 files/s target; at a lower measured rate the big
      // run is cut to about 30 s of drain each, so the whole bench stays under 10 minutes.
      const rate = Math.max(...cases.map((c) => c.filesPerSecond));
      const big = Math.min(20_000, Math.max(2_000, Math.round((rate * 30) / 1000) * 1000));
      if (big < 20_000)
        ctx.log(`  N=20,000 cut to ${fmt.int(big)}: ~30 s of drain at ${fmt.int(rate)} files/s`);
      for (const workers of [1, 2]) cases.push(await throughputCase(ctx, big, workers));
    }
    const rows: Row[] = cases.map((c) => ({
      scenario: 'throughput',
      case: `N=${fmt.int(c.n)}, ${c.workers} worker proc`,
      figure: `${fmt.int(c.filesPerSecond)} files/s`,
      value: c.filesPerSecond,
      unit: 'files/s',
      target: `≥ ${TARGET} files/s`,
      pass: c.filesPerSecond >= TARGET && c.failed === 0 && c.duplicates === 0,
      note: `${c.n < 20_000 && c.n > 2_000 ? 'N cut from 20,000 to fit the time budget; ' : ''}enqueue ${fmt.s(c.enqueueMs)}, drain ${fmt.s(c.drainMs)}; incl. enqueue ${fmt.int(c.endToEndPerSecond)} files/s; ${c.tagged} tagged, ${c.unmatched} unmatched, ${c.failed} failed, ${c.duplicates} duplicate submissions; ${c.statementsPerFile} statements/file, Postgres CPU ${c.postgresCpuMsPerFile} ms/file (this run's backends ${c.backendCpuMsPerFile})`,
    }));
    return { rows, details: { concurrencyPerQueue: CONCURRENCY, cases } };
  },
};
