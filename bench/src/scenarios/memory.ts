// Scenario 5: worker memory with 10,000 transcripts in flight at once.
import { join } from 'node:path';
import { sleep, waitUntil } from '../lib/proc.ts';
import { type BenchContext, fmt, type Row, type Scenario, type ScenarioResult } from '../lib/report.ts';
import { Stack } from '../lib/stack.ts';
import { audioUrls, writeLines } from '../lib/workload.ts';

const TARGET_MB = 300;

export interface MemoryCase {
  inFlight: number;
  submitMs: number;
  heldMs: number;
  maxOpen: number;
  polls: number;
  workerPeakRssMb: number;
  workerRssAfterSubmitMb: number;
}

export async function memoryCase(ctx: BenchContext, n: number, holdMs = 20_000): Promise<MemoryCase> {
  const stack = await Stack.start({
    name: `mem-${n}`,
    // Real time; every transcript processes for 10 minutes, so all stay in flight while measured.
    emulator: {
      timeScale: 1000,
      concurrency: n,
      processing: { baseSeconds: 600, realTimeFactor: 0, jitter: 0 },
      rateLimit: { requests: 100_000_000, windowSeconds: 300 },
      gateway: { requestsPerMinute: 100_000_000 },
    },
    // Polling at mediatag's defaults (first check after 3 s, then 25% of the time elapsed).
    env: { MAX_IN_FLIGHT: String(n), ASSEMBLYAI_RATE_LIMIT: '100000000/300' },
  });
  try {
    const file = join(ctx.tmpDir, `memory-${n}.txt`);
    await writeLines(file, audioUrls(stack.emulator.url, n));
    await stack.enqueue(file, 'memory');
    const worker = stack.spawnWorker({ concurrency: 50 });
    await stack.workersReady();
    const started = performance.now();
    await waitUntil(() => stack.emulator.stats().submissions >= n, 240_000, `${n} submissions`, 250);
    const submitMs = performance.now() - started;
    const afterSubmit = worker.rss.sample();
    // Hold: every transcript is in flight and being polled on mediatag's schedule.
    await sleep(holdMs);
    const stats = stack.emulator.stats();
    const result: MemoryCase = {
      inFlight: stats.processingNow + stats.queuedNow,
      submitMs,
      heldMs: holdMs,
      maxOpen: stats.maxOpen,
      polls: stats.getsTotal,
      workerPeakRssMb: worker.rss.sample(),
      workerRssAfterSubmitMb: afterSubmit,
    };
    ctx.log(
      `  ${fmt.int(result.inFlight)} in flight (submitted in ${fmt.s(submitMs)}, held ${fmt.s(holdMs)}, ${result.polls} status checks): worker peak RSS ${result.workerPeakRssMb.toFixed(0)} MB`,
    );
    return result;
  } finally {
    await stack.close();
  }
}

export const memory: Scenario = {
  name: 'memory',
  title: 'worker peak RSS with 10,000 transcripts in flight',
  async run(ctx): Promise<ScenarioResult> {
    const n = ctx.quick ? 2_000 : 10_000;
    const c = await memoryCase(ctx, n, ctx.quick ? 8_000 : 20_000);
    const rows: Row[] = [
      {
        scenario: 'memory',
        case: `${fmt.int(c.inFlight)} transcripts in flight, 1 worker proc`,
        figure: `${c.workerPeakRssMb.toFixed(0)} MB peak RSS`,
        value: c.workerPeakRssMb,
        unit: 'MB',
        target: `≤ ${TARGET_MB} MB`,
        pass: c.workerPeakRssMb <= TARGET_MB && c.inFlight >= n,
        note: `VmHWM of the worker process; ${c.workerRssAfterSubmitMb.toFixed(0)} MB when the last was submitted (${fmt.s(c.submitMs)}), then held ${fmt.s(c.heldMs)} with ${c.polls} status checks${ctx.quick ? `; quick run: ${fmt.int(n)} instead of 10,000` : ''}`,
      },
    ];
    return { rows, details: { case: c } };
  },
};
