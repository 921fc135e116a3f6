// Scenario 4: `mediatag enqueue` of a big URL file into Postgres and Redis: rate and peak
// memory of the enqueue process, at two sizes to show memory does not grow with N.
import { join } from 'node:path';
import { type LocalS3, startLocalS3 } from '@mediatag/s3/testing';
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

export interface S3Case {
  objects: number;
  wallMs: number;
  objectsPerSecond: number;
  summary: string;
  listing: string;
  jobsInRedis: number;
}

async function fillBucket(s3: LocalS3, n: number): Promise<void> {
  const keys = Array.from(
    { length: n },
    (_, i) => `2026-11-30/agent-${i % 50}/call-${String(i).padStart(6, '0')}.wav`,
  );
  for (let i = 0; i < keys.length; i += 64) {
    await Promise.all(keys.slice(i, i + 64).map((key) => s3.put('calls', key, `call ${key}`, 'audio/wav')));
  }
}

/**
 * Enqueues a prefix of `n` objects from a local S3-protocol server (s3rver): listing at
 * 1,000 keys a page, then the same Postgres and Redis writes as a URL file. Wall time
 * includes node start, like the file case.
 */
export async function s3Case(ctx: BenchContext, n: number): Promise<S3Case> {
  const s3 = await startLocalS3(['calls']);
  try {
    await fillBucket(s3, n);
    const stack = await Stack.start({ name: `enq-s3-${n}`, env: s3.env });
    try {
      const run = await stack.cli(
        [
          'enqueue',
          's3://calls/2026-11-30/',
          '--batch',
          'enqueue-s3',
          '--key-pattern',
          '{date}/{agent}/{call_id}.wav',
        ],
        { measureRss: false, timeoutMs: 300_000 },
      );
      if (run.code !== 0)
        throw new Error(`enqueue exited ${run.code ?? run.signal}: ${run.stderr.slice(-2000)}`);
      const jobsInRedis = await stack.jobCount('transcribe');
      const result: S3Case = {
        objects: n,
        wallMs: run.wallMs,
        objectsPerSecond: n / (run.wallMs / 1000),
        summary: run.stdout.trim(),
        listing: run.stderr.split('\n').find((l) => l.startsWith('s3://')) ?? '',
        jobsInRedis,
      };
      ctx.log(
        `  ${fmt.int(n)} objects from s3://calls/2026-11-30/: ${fmt.s(run.wallMs)}, ${fmt.int(result.objectsPerSecond)} objects/s; ${result.listing}; ${result.summary}; ${jobsInRedis} jobs in Redis`,
      );
      return result;
    } finally {
      await stack.close();
    }
  } finally {
    await s3.close();
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
    // The same prefix size as the first file case, listed from a local S3-protocol server.
    const objects = sizes[0] ?? 20_000;
    const s3 = await s3Case(ctx, objects);
    const file = cases[0];
    rows.push({
      scenario: 'enqueue',
      case: `${fmt.int(objects)} objects from an s3:// prefix`,
      figure: `${fmt.int(s3.objectsPerSecond)} objects/s`,
      value: s3.objectsPerSecond,
      unit: 'objects/s',
      target: file ? `vs ${fmt.int(file.urlsPerSecond)} URLs/s from a file` : 'comparison',
      pass: s3.jobsInRedis === objects,
      note: `${fmt.s(s3.wallMs)} wall incl. process start and listing ${Math.ceil(objects / 1000)} pages (s3rver on loopback); ${s3.jobsInRedis} transcribe jobs in Redis`,
    });
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
    return { rows, details: { cases, s3 } };
  },
};
