// Scenario 2: account slot utilisation. 200 emulated slots, realistic processing times
// (compressed), MAX_IN_FLIGHT 200: how much of the paid-for concurrency mediatag keeps busy.
import { join } from 'node:path';
import type { EmulatorStats } from '@mediatag/emulator';
import { CpuMeter, type CpuReport } from '../lib/cpu.ts';
import { sleep } from '../lib/proc.ts';
import { type BenchContext, fmt, type Row, type Scenario, type ScenarioResult } from '../lib/report.ts';
import { MEAN_PROCESSING_S, scaledEmulator, scaledEnv } from '../lib/scaled.ts';
import { startServe, webhookEnv } from '../lib/serve.ts';
import { Stack } from '../lib/stack.ts';
import { audioUrls, writeLines } from '../lib/workload.ts';

const TARGET = 0.97;
const SLOTS = 200;

export interface UtilisationCase {
  maxInFlight: number;
  /** IN_FLIGHT_RESERVE: 'auto' (measured) or a fixed number. */
  reserve: string;
  /** Most transcripts ever waiting at the emulator for a slot (the reserve in use). */
  maxWaitingForSlot: number;
  files: number;
  timeScale: number;
  wallMs: number;
  /** From the first submission until no file was left unsubmitted (the backlog ran out). */
  steady: { utilisation: number; wallMs: number };
  /** The whole run, the drain at the end included (idle slots there are unavoidable). */
  whole: { utilisation: number };
  maxOpen: number;
  maxConcurrentProcessing: number;
  getsPerTranscript: number;
  /**
   * Mean emulated seconds between a transcript finishing at the API and mediatag recording
   * it (its slot is lost to the account meanwhile when MAX_IN_FLIGHT equals the slots).
   */
  detectionDelayS: number;
  rateLimited429s: number;
  duplicates: number;
  failed: number;
  cpu: CpuReport;
}

/** Runs `files` realistic files through one worker process; samples utilisation when the backlog runs out. */
export async function utilisationCase(
  ctx: BenchContext,
  options: { maxInFlight: number; files: number; timeScale: number; webhook?: boolean; reserve?: string },
): Promise<UtilisationCase> {
  const { maxInFlight, files, timeScale } = options;
  const reserve = options.reserve ?? 'auto';
  const stack = await Stack.start({
    name: `util-${maxInFlight}-${reserve}`,
    emulator: scaledEmulator(timeScale),
    env: scaledEnv(timeScale, {
      MAX_IN_FLIGHT: String(maxInFlight),
      IN_FLIGHT_RESERVE: reserve,
      ...(options.webhook ? await webhookEnv() : {}),
    }),
  });
  const serve = options.webhook
    ? await startServe(stack.env).catch(async (error: unknown) => {
        await stack.close();
        throw error;
      })
    : undefined;
  try {
    const file = join(ctx.tmpDir, `util-${files}.txt`);
    await writeLines(file, audioUrls(stack.emulator.url, files));
    await stack.pauseSubmissions(true);
    stack.spawnWorker({ concurrency: 50 });
    await stack.workersReady();
    await stack.enqueue(file, 'util');
    const cpu = new CpuMeter(() => stack.workers.map((w) => w.pid));
    stack.emulator.resetStats();
    cpu.begin();
    const started = performance.now();
    await stack.pauseSubmissions(false);
    let steady: EmulatorStats | undefined;
    let steadyAt = 0;
    const deadline = Date.now() + 300_000;
    for (;;) {
      await sleep(250);
      if (!steady) {
        const { rows } = await stack.pool.query(
          `SELECT count(*)::int AS n FROM media_files WHERE transcript_status = 'pending'`,
        );
        if (rows[0]?.n === 0) {
          steady = stack.emulator.stats();
          steadyAt = performance.now();
        }
      }
      if ((await stack.finalCount()) >= files) break;
      if (Date.now() > deadline) throw new Error(`utilisation run not final after 300 s`);
    }
    const wallMs = performance.now() - started;
    const p = await stack.progress('util');
    const stats = stack.emulator.stats();
    // Expected emulated time from submission to completion: 0.5 s queued, 3 s + 35 s per audio
    // hour processing (jitter averages out); what is left is detection delay (and, above 200
    // in flight, waiting for a slot).
    const { rows: delay } = await stack.pool.query(
      `SELECT avg(extract(epoch FROM completed_at - submitted_at) * 1000 / $1
                  - (3.5 + 35.0 / 3600 * audio_duration_s))::float8 AS s
         FROM media_files WHERE transcript_status = 'completed'`,
      [timeScale],
    );
    const result: UtilisationCase = {
      maxInFlight,
      reserve,
      maxWaitingForSlot: stats.maxWaitingForSlot,
      files,
      timeScale,
      wallMs,
      steady: { utilisation: steady?.utilisation ?? 0, wallMs: steadyAt - started },
      whole: { utilisation: stats.utilisation },
      maxOpen: stats.maxOpen,
      maxConcurrentProcessing: stats.maxConcurrentProcessing,
      getsPerTranscript: stats.getsByTranscript.meanPerCompletedTranscript,
      detectionDelayS: Number(delay[0]?.s ?? 0),
      rateLimited429s: stats.rateLimited429s,
      duplicates: Object.keys(stats.submissionsByAudioUrl.duplicates).length,
      failed: p.failed,
      cpu: cpu.end(),
    };
    ctx.log(
      `  MAX_IN_FLIGHT ${maxInFlight}, reserve ${reserve}: utilisation ${fmt.pct(result.steady.utilisation)} until the backlog ran out (${fmt.s(result.steady.wallMs)}), ${fmt.pct(result.whole.utilisation)} over the whole ${fmt.s(wallMs)} run; maxOpen ${result.maxOpen}, at most ${result.maxWaitingForSlot} waiting for a slot, ${result.getsPerTranscript.toFixed(2)} GETs/transcript, detection delay ${result.detectionDelayS.toFixed(1)} emulated s, ${result.rateLimited429s} 429s`,
    );
    return result;
  } finally {
    await serve?.stop();
    await stack.close();
  }
}

export const utilisation: Scenario = {
  name: 'utilisation',
  title: 'slot utilisation, 200 slots, realistic processing',
  async run(ctx): Promise<ScenarioResult> {
    // 500 real ms per emulated second: the account finishes ~26 files/s, well inside what this
    // machine's Postgres and one worker process handle (at 100 ms, 132 files/s, the run
    // measured CPU, not scheduling). ~35 s until the backlog runs out, then the drain.
    const timeScale = 500;
    const seconds = ctx.quick ? 15 : 35;
    const files = Math.round((seconds * 1000 * SLOTS) / (MEAN_PROCESSING_S * timeScale));
    const cases = [await utilisationCase(ctx, { maxInFlight: SLOTS, files, timeScale })];
    if (!ctx.quick) {
      // Before the reserve: exactly MAX_IN_FLIGHT submitted, none waiting at AssemblyAI.
      const compare = Math.round(files * 0.5);
      cases.push(await utilisationCase(ctx, { maxInFlight: SLOTS, files: compare, timeScale, reserve: '0' }));
    }
    const rows: Row[] = [];
    for (const c of cases) {
      const own = c.reserve === 'auto';
      const bound = c.maxInFlight + (own ? Math.ceil(c.maxInFlight / 2) : Number(c.reserve));
      rows.push({
        scenario: 'utilisation',
        case: `MAX_IN_FLIGHT ${c.maxInFlight}, reserve ${c.reserve}, ${fmt.int(c.files)} files`,
        figure: `${fmt.pct(c.steady.utilisation)} busy`,
        value: c.steady.utilisation,
        unit: 'fraction',
        target: own ? `≥ ${fmt.pct(TARGET)}` : '— (comparison)',
        pass: own ? c.steady.utilisation >= TARGET : null,
        note: `from first submission until the backlog ran out (${fmt.s(c.steady.wallMs)}); whole run incl. drain tail ${fmt.pct(c.whole.utilisation)} (${fmt.s(c.wallMs)}); ${c.getsPerTranscript.toFixed(2)} GETs/transcript, mean detection delay ${c.detectionDelayS.toFixed(1)} emulated s, ${c.rateLimited429s} 429s, ${c.failed} failed; timeScale ${c.timeScale} ms per emulated s; gateway limit lifted (this measures the slots alone; the production scenario keeps it)`,
      });
      rows.push({
        scenario: 'utilisation',
        case: `MAX_IN_FLIGHT ${c.maxInFlight}, reserve ${c.reserve}: open at the API, waiting for a slot`,
        figure: `maxOpen ${c.maxOpen}, ${c.maxWaitingForSlot} waiting, ${c.maxConcurrentProcessing} processing`,
        value: c.maxOpen,
        unit: 'transcripts',
        target: `open ≤ ${bound}, processing ≤ ${SLOTS}`,
        pass: c.maxOpen <= bound && c.maxConcurrentProcessing <= SLOTS,
      });
    }
    return { rows, details: { timeScale, meanProcessingSeconds: MEAN_PROCESSING_S, cases } };
  },
};
