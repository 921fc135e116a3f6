// Scenario 4: `mediatag enqueue` of a big URL file into Postgres and Redis: rate and peak
// memory of the enqueue process, at two sizes to show memory does not grow with N.
import { join } from 'node:path';
import { type BenchContext, fmt, type Row, type Scenario, type ScenarioResult } from '../lib/report.ts';
import { Stack } from '../lib/stack.ts';
import { audioUrls, writeLines } from '../lib/workload.ts';

const TARGET = 10_000;

export interface EnqueueCase {
  urls: number;
  wallMs: number;
  urlsPerSecond: number;
  peakRssMb: number | null;
  rssMethod: string;
  summary: string;
  jobsInRedis: number;
}

/** Enqueues `n` distinct URLs from a file, no workers running; the wall time includes node start. */
export async function enqueueCase(ctx: BenchContext, n: number): Promise<EnqueueCase> {
  const stack = await Stack.start({ name: `enq-${n}` });
  try {
    const file = join(ctx.tmpDir, `enqueue-${n}.txt`);
    await writeLines(file, audioUrls(stack.emulator.url, n));
    const run = await stack.enqueue(file, 'enqueue', { measureRss: true });
    const jobsInRedis = await stack.jobCount('transcribe');
    const result: EnqueueCase = {
      urls: n,
      wallMs: run.wallMs,
      urlsPerSecond: n / (run.wallMs / 1000),
      peakRssMb: run.peakRssMb,
      rssMethod: run.rssMethod,
      summary: run.stdout.trim(),
      jobsInRedis,
    };
    ctx.log(
      `  ${fmt.int(n)} URLs: ${fmt.s(run.wallMs)}, ${fmt.int(result.urlsPerSecond)} URLs/s, peak RSS ${result.peakRssMb?.toFixed(0)} MB (${run.rssMethod}); ${result.summary}; ${jobsInRedis} jobs in Redis`,
    );
    return result;
  } finally {
    await stack.close();
  }
}

export const enqueue: Scenario = {
  name: 'enqueue',
  title: 'enqueue a big URL file: rate and peak RSS',
  async run(ctx): Promise<ScenarioResult> {
    const sizes = ctx.quick ? [5_000, 20_000] : [20_000, 100_000];
    const cases: EnqueueCase[] = [];
    for (const n of sizes) cases.push(await enqueueCase(ctx, n));
    const rows: Row[] = cases.map((c) => ({
      scenario: 'enqueue',
      case: `${fmt.int(c.urls)} URLs from a file`,
      figure: `${fmt.int(c.urlsPerSecond)} URLs/s`,
      value: c.urlsPerSecond,
      unit: 'URLs/s',
      target: `≥ ${fmt.int(TARGET)} URLs/s`,
      pass: c.urlsPerSecond >= TARGET && c.jobsInRedis === c.urls,
      note: `${fmt.s(c.wallMs)} wall incl. process start; ${c.jobsInRedis} transcribe jobs in Redis`,
    }));
    const [small, big] = cases;
    if (small?.peakRssMb && big?.peakRssMb) {
      const ratio = big.peakRssMb / small.peakRssMb;
      rows.push({
        scenario: 'enqueue',
        case: `peak RSS ${fmt.int(small.urls)} → ${fmt.int(big.urls)} URLs`,
        figure: `${small.peakRssMb.toFixed(0)} → ${big.peakRssMb.toFixed(0)} MB (×${ratio.toFixed(2)})`,
        value: ratio,
        unit: 'ratio',
        target: 'flat (≤ ×1.25 for ×5 URLs)',
        pass: ratio <= 1.25,
        note: `measured with ${big.rssMethod === 'gnu-time' ? '/usr/bin/time -v' : '/proc VmHWM'}; the chaos suite compares 100,000 with 1,000,000 lines`,
      });
    }
    return { rows, details: { cases } };
  },
};
