// Scenario: production's limits, compressed in time. 200 transcription slots, realistic
// processing (~40 s a file, as AssemblyAI's 35-45 s), 20,000 REST requests per 5 minutes and
// the LLM Gateway's 30 requests per minute per model, all at TIME_SCALE real ms per emulated
// second. Side by side: the ideal, the transcription-only bound (gateway limit lifted), one
// file per request (before batching), batched, and batched over two models.
import { join } from 'node:path';
import { type EmulatorOverrides, type EmulatorStats, generatedDurationSeconds } from '@mediatag/emulator';
import { SAMPLES } from '@mediatag/emulator/samples';
import { CpuMeter } from '../lib/cpu.ts';
import { sleep } from '../lib/proc.ts';
import { type BenchContext, fmt, type Row, type Scenario, type ScenarioResult } from '../lib/report.ts';
import { scaled } from '../lib/scaled.ts';
import { Stack } from '../lib/stack.ts';
import { audioUrls, writeLines } from '../lib/workload.ts';

/** 100 real ms per emulated second: 2,000 files (~400 emulated s) drain in about 45 real s. */
const TIME_SCALE = 100;
const SLOTS = 200;
/** 28 s + 35 s per audio hour: ~40 s for the generated mix (mean audio ~21 min). */
const PROCESSING = { baseSeconds: 28, realTimeFactor: 35 / 3600, jitter: 0.2 };
const MODELS = ['claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001'];

/** The emulator at production's limits, compressed; `liftGateway` removes the per-model limit. */
function productionEmulator(liftGateway: boolean, extra: EmulatorOverrides = {}): EmulatorOverrides {
  return {
    timeScale: TIME_SCALE,
    concurrency: SLOTS,
    processing: PROCESSING,
    rateLimit: { requests: 20_000, windowSeconds: (300 * TIME_SCALE) / 1000 },
    // 30 per model per 60 emulated seconds is the emulator's default; null lifts it.
    gateway: { requestsPerMinute: liftGateway ? null : 30 },
    ...extra,
  };
}

/** mediatag's defaults with every duration compressed alike. */
function productionEnv(liftGateway: boolean, extra: Record<string, string> = {}): Record<string, string> {
  return {
    POLL_MIN_MS: String(scaled(TIME_SCALE, 3)),
    POLL_MAX_MS: String(scaled(TIME_SCALE, 60)),
    POLL_SWEEP_MS: String(scaled(TIME_SCALE, 2)),
    ASSEMBLYAI_RATE_LIMIT: `19000/${(300 * TIME_SCALE) / 1000}`,
    LLM_RATE_LIMIT: liftGateway ? '100000000/60' : `30/${(60 * TIME_SCALE) / 1000}`,
    TAG_BATCH_WAIT_MS: String(scaled(TIME_SCALE, 1.5)),
    MAX_IN_FLIGHT: String(SLOTS),
    ...extra,
  };
}

export interface DrainCase {
  name: string;
  files: number;
  /** Real ms from the first submission until every file was final (projected when extrapolated). */
  drainMs: number;
  /** Real ms until the last transcript completed. */
  transcribedMs: number;
  /** Processing time spread over 200 always-busy slots (the emulator's busy slot-ms / 200). */
  idealMs: number;
  extrapolated: boolean;
  /** Share of slot time used from the first submission until no file was left unsubmitted. */
  utilisation: number;
  getsPerTranscript: number;
  /** Every AssemblyAI REST request (submissions, GETs, the sweep's list pages) per file. */
  restPerFile: number;
  gatewayRequests: number;
  filesPerRequest: number;
  gateway429s: number;
  rest429s: number;
  duplicates: number;
  maxOpen: number;
  maxWaitingForSlot: number;
  tagged: number;
  failed: number;
  workerCpuS: number;
}

async function drain(
  ctx: BenchContext,
  name: string,
  files: number,
  options: {
    liftGateway: boolean;
    env?: Record<string, string>;
    stopAfterMs?: number;
    /** A plain URL list: no lengths, so files are submitted in list order. */
    unknownLengths?: boolean;
  },
): Promise<DrainCase> {
  const stack = await Stack.start({
    name: `prod-${name.replace(/\W+/g, '-').slice(0, 20)}`,
    emulator: productionEmulator(options.liftGateway),
    env: productionEnv(options.liftGateway, options.env),
  });
  try {
    // A CSV with each file's length, as a call system's export or a podcast feed states it:
    // mediatag submits the longest first. A plain list keeps its (random) order.
    const urls = audioUrls(stack.emulator.url, files);
    const file = join(ctx.tmpDir, `prod-${files}.${options.unknownLengths ? 'txt' : 'csv'}`);
    await writeLines(
      file,
      options.unknownLengths
        ? urls
        : ['url,duration', ...urls.map((u) => `${u},${generatedDurationSeconds(u)}`)],
    );
    await stack.pauseSubmissions(true);
    stack.spawnWorker({ concurrency: 50 });
    await stack.workersReady();
    await stack.enqueue(file, 'prod');
    const cpu = new CpuMeter(() => stack.workers.map((w) => w.pid));
    stack.emulator.resetStats();
    cpu.begin();
    const started = performance.now();
    await stack.pauseSubmissions(false);
    let steady: EmulatorStats | undefined;
    let transcribedAt = 0;
    let extrapolated = false;
    let drainMs = 0;
    const deadline = started + 600_000;
    const tagSamples: Array<{ t: number; tagged: number }> = [];
    for (;;) {
      await sleep(250);
      const now = performance.now();
      const { rows } = await stack.pool.query(
        `SELECT count(*) FILTER (WHERE transcript_status = 'pending')::int AS pending,
                count(*) FILTER (WHERE transcript_status IN ('completed', 'error'))::int AS transcribed,
                (SELECT count(*)::int FROM tag_results WHERE status IN ('tagged', 'unmatched', 'error')) AS tagged
           FROM media_files`,
      );
      const r = rows[0] as { pending: number; transcribed: number; tagged: number };
      if (!steady && r.pending === 0) steady = stack.emulator.stats();
      if (!transcribedAt && r.transcribed >= files) transcribedAt = now;
      tagSamples.push({ t: now, tagged: r.tagged });
      if ((await stack.finalCount()) >= files) {
        drainMs = now - started;
        break;
      }
      if (options.stopAfterMs !== undefined && transcribedAt && now - started > options.stopAfterMs) {
        // Tagging moves at a steady rate now: project the rest from the last 20 s.
        const recent = tagSamples.filter((s) => s.t >= now - 20_000);
        const first = recent[0] as { t: number; tagged: number };
        const rate = (r.tagged - first.tagged) / Math.max(1, now - first.t);
        drainMs = now - started + (files - r.tagged) / Math.max(rate, 1e-9);
        extrapolated = true;
        break;
      }
      if (now > deadline) throw new Error(`${name}: not final after 600 s`);
    }
    const stats = stack.emulator.stats();
    const p = await stack.progress('prod');
    const result: DrainCase = {
      name,
      files,
      drainMs,
      transcribedMs: transcribedAt - started,
      idealMs: stats.busySlotMs / SLOTS,
      extrapolated,
      utilisation: steady?.utilisation ?? stats.utilisation,
      getsPerTranscript: stats.getsByTranscript.meanPerCompletedTranscript,
      restPerFile: (stats.requestsTotal - stats.gatewayCalls - stats.gateway429s) / files,
      gatewayRequests: stats.gatewayCalls,
      filesPerRequest: stats.gatewayCalls > 0 ? p.tagged / stats.gatewayCalls : 0,
      gateway429s: stats.gateway429s,
      rest429s: stats.rateLimited429s,
      duplicates: Object.keys(stats.submissionsByAudioUrl.duplicates).length,
      maxOpen: stats.maxOpen,
      maxWaitingForSlot: stats.maxWaitingForSlot,
      tagged: p.tagged,
      failed: p.failed,
      workerCpuS: cpu.end().seconds.workers ?? 0,
    };
    ctx.log(
      `  ${name}: ${extrapolated ? 'projected ' : ''}${fmt.s(result.drainMs)} real = ${emulatedMin(result.drainMs)} (ideal ${emulatedMin(result.idealMs)}, transcribed by ${emulatedMin(result.transcribedMs)}); ${result.gatewayRequests} gateway requests (${result.filesPerRequest.toFixed(1)} files each), ${result.gateway429s} gateway 429s, ${result.rest429s} REST 429s; utilisation ${fmt.pct(result.utilisation)} while work waited, ${result.getsPerTranscript.toFixed(2)} GETs/transcript (${result.restPerFile.toFixed(2)} REST requests a file in all), max ${result.maxWaitingForSlot} waiting for a slot`,
    );
    return result;
  } finally {
    await stack.close();
  }
}

/** Real ms of this scenario as production minutes. */
function emulatedMin(realMs: number): string {
  return `${(realMs / TIME_SCALE / 60).toFixed(1)} min`;
}

/** Mean LLM input tokens per hour-long file, sending the whole transcript versus the excerpt. */
async function tokensPerHour(ctx: BenchContext): Promise<{ full: number; excerpt: number; files: number }> {
  const perMode = async (batch: string) => {
    const stack = await Stack.start({
      name: `prod-tokens-${batch}`,
      // No item faults here: a file asked again alone is sent whole, which is not what is measured.
      emulator: {
        timeScale: 5,
        concurrency: 200,
        gateway: { requestsPerMinute: null },
        faults: { batchItemFaultRate: 0 },
      },
      env: { POLL_MIN_MS: '20', POLL_MAX_MS: '300', LLM_RATE_LIMIT: '100000000/60', TAG_BATCH_SIZE: batch },
    });
    try {
      const file = join(ctx.tmpDir, `tokens-${batch}.txt`);
      // 150 words a minute: transcripts as long as the speech (an hour ≈ 9,000 words).
      await writeLines(
        file,
        audioUrls(stack.emulator.url, 120).map((u) => `${u}?wpm=150`),
      );
      stack.spawnWorker({ concurrency: 20 });
      await stack.enqueue(file, 'tokens');
      await stack.waitFinal('tokens', { timeoutMs: 180_000 });
      const { rows } = await stack.pool.query(
        `SELECT avg(r.input_tokens)::float8 AS tokens, count(*)::int AS n FROM tag_results r
           JOIN media_files m ON m.id = r.media_file_id
          WHERE m.audio_duration_s >= 2700 AND r.status = 'tagged'`,
      );
      return { tokens: Number(rows[0]?.tokens ?? 0), n: Number(rows[0]?.n ?? 0) };
    } finally {
      await stack.close();
    }
  };
  // One file per request sends transcript_id: the gateway injects the whole text.
  const full = await perMode('1');
  const excerpt = await perMode('10');
  ctx.log(
    `  LLM input tokens per 45-60 min episode: whole transcript ${fmt.int(full.tokens)}, excerpt (batched) ${fmt.int(excerpt.tokens)} (${fmt.pct(excerpt.tokens / full.tokens)}), ${excerpt.n} files`,
  );
  return { full: full.tokens, excerpt: excerpt.tokens, files: excerpt.n };
}

/** The sample library's share tagged with its expected topic, one file per request and batched. */
async function accuracy(ctx: BenchContext, batchSize: number): Promise<{ right: number; total: number }> {
  const stack = await Stack.start({
    name: `prod-accuracy-${batchSize}`,
    emulator: { timeScale: 5, gateway: { requestsPerMinute: null } },
    env: {
      POLL_MIN_MS: '20',
      POLL_MAX_MS: '300',
      LLM_RATE_LIMIT: '100000000/60',
      TAG_BATCH_SIZE: String(batchSize),
    },
  });
  try {
    stack.spawnWorker({ concurrency: 20 });
    for (const taxonomy of ['media', 'support-calls']) {
      const file = join(ctx.tmpDir, `accuracy-${taxonomy}.txt`);
      const urls = SAMPLES.filter((s) => s.taxonomy === taxonomy).map(
        (s) => `${stack.emulator.url}/samples/${s.id}.mp3`,
      );
      await writeLines(file, urls);
      await stack.enqueue(file, taxonomy, { taxonomy });
      await stack.waitFinal(taxonomy, { timeoutMs: 120_000 });
    }
    const expected = new Map(SAMPLES.map((s) => [s.id, s.expectedTopic]));
    const { rows } = await stack.pool.query('SELECT url, topic FROM tagged_files');
    const right = rows.filter(
      (r) => expected.get(/samples\/([\w-]+)\.mp3/.exec(r.url)?.[1] ?? '') === r.topic,
    );
    const stats = stack.emulator.stats();
    ctx.log(
      `  sample library, TAG_BATCH_SIZE=${batchSize}: ${right.length}/${rows.length} right; ${stats.gatewayCalls} requests, ${Object.values(stats.batchItemFaults).reduce((a, b) => a + b, 0)} batched items faulted (asked again alone)`,
    );
    return { right: right.length, total: rows.length };
  } finally {
    await stack.close();
  }
}

export const production: Scenario = {
  name: 'production',
  title: 'production limits: 200 slots, ~40 s a file, 30 gateway requests/min per model (compressed)',
  async run(ctx): Promise<ScenarioResult> {
    const files = ctx.quick ? 600 : 2000;
    const bound = await drain(ctx, 'transcription only (gateway limit lifted)', files, { liftGateway: true });
    const single = await drain(ctx, 'one file per request', files, {
      liftGateway: false,
      env: { TAG_BATCH_SIZE: '1' },
      stopAfterMs: bound.drainMs + 20_000,
    });
    const batched = await drain(ctx, 'batched, 1 model', files, { liftGateway: false });
    const unordered = await drain(ctx, 'batched, 1 model, lengths unknown (plain URL list)', files, {
      liftGateway: false,
      unknownLengths: true,
    });
    const twoModels = await drain(ctx, 'batched, 2 models', files, {
      liftGateway: false,
      env: { LLM_MODELS: MODELS.join(','), LLM_SPREAD_MODELS: '1' },
    });
    const tokens = await tokensPerHour(ctx);
    const accSingle = await accuracy(ctx, 1);
    const accBatched = await accuracy(ctx, 10);

    const ideal = batched.idealMs;
    const rows: Row[] = [
      {
        scenario: 'production',
        case: `ideal: processing over ${SLOTS} always-busy slots, ${fmt.int(files)} files`,
        figure: emulatedMin(ideal),
        value: ideal / TIME_SCALE,
        unit: 'emulated s',
        target: '—',
        pass: null,
        note: `${fmt.s(ideal)} real at ${TIME_SCALE} ms per emulated s`,
      },
    ];
    for (const c of [bound, single, batched, unordered, twoModels]) {
      const ratio = c.drainMs / ideal;
      const isBatched = c === batched;
      rows.push({
        scenario: 'production',
        case: `drain, ${c.name}`,
        figure: `${emulatedMin(c.drainMs)} (${ratio.toFixed(2)}× ideal)${c.extrapolated ? ', projected' : ''}`,
        value: ratio,
        unit: '× ideal',
        target: isBatched ? '≤ 1.10× ideal' : '— (comparison)',
        pass: isBatched ? ratio <= 1.1 : null,
        note: `${c.gatewayRequests} gateway requests, ${c.filesPerRequest.toFixed(1)} files each; ${c.gateway429s} gateway 429s; ${c.duplicates} double submissions; ${c.failed} failed; transcribed by ${emulatedMin(c.transcribedMs)}${c.extrapolated ? `; stopped after ${c.tagged} of ${c.files} tagged and projected at the measured tagging rate` : ''}`,
      });
    }
    rows.push(
      {
        scenario: 'production',
        case: 'batched: gateway 429s, double submissions',
        figure: `${batched.gateway429s + twoModels.gateway429s} 429s, ${batched.duplicates + twoModels.duplicates} duplicates`,
        value: batched.gateway429s + batched.duplicates + twoModels.gateway429s + twoModels.duplicates,
        unit: 'count',
        target: '0',
        pass: batched.gateway429s + batched.duplicates + twoModels.gateway429s + twoModels.duplicates === 0,
      },
      {
        scenario: 'production',
        case: 'batched: slot utilisation while work waited',
        figure: fmt.pct(batched.utilisation),
        value: batched.utilisation,
        unit: 'fraction',
        target: '≥ 97.0%',
        pass: batched.utilisation >= 0.97,
        note: `max ${batched.maxOpen} open, at most ${batched.maxWaitingForSlot} waiting for a slot at AssemblyAI (reserve ≤ ${Math.ceil(SLOTS / 2)}); ${batched.rest429s} REST 429s`,
      },
      {
        scenario: 'production',
        case: 'batched: GETs per transcript (polling)',
        figure: `${batched.getsPerTranscript.toFixed(2)} (${batched.restPerFile.toFixed(2)} REST requests a file with submissions and the sweep's list pages)`,
        value: batched.getsPerTranscript,
        unit: 'GETs',
        target: '≤ 3',
        pass: batched.getsPerTranscript <= 3,
      },
      {
        scenario: 'production',
        case: 'batched: never more than the reserve waiting at AssemblyAI',
        figure: `max ${batched.maxWaitingForSlot} waiting`,
        value: batched.maxWaitingForSlot,
        unit: 'transcripts',
        target: `≤ ${Math.ceil(SLOTS / 2)}`,
        pass: batched.maxWaitingForSlot <= Math.ceil(SLOTS / 2) && batched.rest429s === 0,
      },
      {
        scenario: 'production',
        case: 'LLM input tokens per 45-60 min episode',
        figure: `${fmt.int(tokens.excerpt)} excerpt vs ${fmt.int(tokens.full)} whole (${fmt.pct(tokens.excerpt / tokens.full)})`,
        value: tokens.excerpt / tokens.full,
        unit: 'fraction',
        target: '≤ 25.0%',
        pass: tokens.excerpt / tokens.full <= 0.25,
        note: `${tokens.files} episodes at 150 words a minute; excerpt = TAG_EXCERPT_TOKENS 2000 plus its share of the batched instructions; batched-item faults off (a file asked again alone is sent whole)`,
      },
      {
        scenario: 'production',
        case: 'sample library tagged right: one file per request / batched',
        figure: `${accSingle.right}/${accSingle.total} / ${accBatched.right}/${accBatched.total}`,
        value: accSingle.right + accBatched.right,
        unit: 'files',
        target: '100% both',
        pass: accSingle.right === accSingle.total && accBatched.right === accBatched.total,
        note: "emulator's lexical stand-in with its default 2% batched-item faults (those files are asked again alone)",
      },
    );
    return {
      rows,
      details: {
        timeScale: TIME_SCALE,
        processing: PROCESSING,
        cases: [bound, single, batched, unordered, twoModels],
        tokens,
        accSingle,
        accBatched,
      },
    };
  },
};
