// Scenario 6: the same 1,000-file workload drained three ways on the same emulator settings
// (200 slots, realistic processing compressed in time, production's request budget per
// emulated 5 minutes): the guide's one-at-a-time script, a naive BullMQ worker, and mediatag.
import { join } from 'node:path';
import { type EmulatorStats, startEmulator } from '@mediatag/emulator';
import { runGuideScript } from '../baselines/guide-script.ts';
import { runNaiveBullmq } from '../baselines/naive-bullmq.ts';
import { type BenchContext, fmt, type Row, type Scenario, type ScenarioResult } from '../lib/report.ts';
import { scaled, scaledEmulator, scaledEnv } from '../lib/scaled.ts';
import { Stack } from '../lib/stack.ts';
import { audioUrls, writeLines } from '../lib/workload.ts';

// 150 real ms per emulated second: an average file (15 emulated s) takes 2.3 s. Faster, and
// keeping 200 slots busy would need more files/s than this 2-core machine's Postgres gives:
// the comparison would measure the CPU, not the scheduling.
const TIME_SCALE = 150;

export interface DrainResult {
  name: string;
  files: number;
  /** Files actually run (the guide's script runs a subset, then is extrapolated). */
  ran: number;
  ms: number;
  /** Time for all files (extrapolated linearly when ran < files). */
  drainMs: number;
  completed: number;
  getsPerTranscript: number;
  rateLimited429s: number;
  maxOpen: number;
  utilisation: number;
  /** Seconds of audio in the files run (the guide's subset) or in all files (mediatag). */
  audioSeconds?: number;
  /** The guide's subset: the plain linear extrapolation, before the audio-length correction. */
  linearMs?: number;
}

/**
 * Emulated seconds the guide's loop spends on a file of `audio` seconds: 0.5 s queued, 3 s +
 * 35 s per audio hour processing, ~1.5 s until the next 3-second check notices.
 */
const perFileWork = (files: number, audio: number) => files * 5 + (35 / 3600) * audio;

function summarise(
  name: string,
  files: number,
  ran: number,
  ms: number,
  completed: number,
  s: EmulatorStats,
): DrainResult {
  return {
    name,
    files,
    ran,
    ms,
    drainMs: (ms * files) / ran,
    completed,
    getsPerTranscript: s.getsByTranscript.meanPerCompletedTranscript,
    rateLimited429s: s.rateLimited429s,
    maxOpen: s.maxOpen,
    utilisation: s.utilisation,
  };
}

async function guide(ctx: BenchContext, files: number, subset: number): Promise<DrainResult> {
  const emulator = await startEmulator({ apiKey: 'emulator-key', ...scaledEmulator(TIME_SCALE) });
  try {
    // Evenly spaced through the workload, so the subset's mix of lengths resembles the whole.
    const all = audioUrls(emulator.url, files);
    const picked = Array.from({ length: subset }, (_, i) => all[Math.floor((i * files) / subset)] as string);
    const r = await runGuideScript(emulator.url, picked, scaled(TIME_SCALE, 3));
    const out = summarise(
      'guide script (1 at a time, poll 3 s)',
      files,
      subset,
      r.ms,
      r.completed,
      emulator.stats(),
    );
    out.audioSeconds = r.audioSeconds;
    out.linearMs = out.drainMs;
    ctx.log(
      `  guide script: ${subset} files in ${fmt.s(r.ms)} → ${fmt.s(out.drainMs)} for ${files} (linear extrapolation)`,
    );
    return out;
  } finally {
    await emulator.close();
  }
}

async function naive(ctx: BenchContext, files: number): Promise<DrainResult> {
  const emulator = await startEmulator({ apiKey: 'emulator-key', ...scaledEmulator(TIME_SCALE) });
  try {
    const r = await runNaiveBullmq(emulator.url, audioUrls(emulator.url, files), scaled(TIME_SCALE, 3), 50);
    const out = summarise(
      'naive BullMQ (concurrency 50, poll in job)',
      files,
      files,
      r.ms,
      r.completed,
      emulator.stats(),
    );
    ctx.log(
      `  naive BullMQ: ${files} files in ${fmt.s(r.ms)} (${r.failed} failed, ${r.counts.retries} retries)`,
    );
    return out;
  } finally {
    await emulator.close();
  }
}

async function mediatag(ctx: BenchContext, files: number): Promise<DrainResult> {
  const stack = await Stack.start({
    name: 'baseline-mediatag',
    emulator: scaledEmulator(TIME_SCALE),
    env: scaledEnv(TIME_SCALE),
  });
  try {
    const file = join(ctx.tmpDir, 'baseline.txt');
    await writeLines(file, audioUrls(stack.emulator.url, files));
    await stack.pauseSubmissions(true);
    stack.spawnWorker({ concurrency: 50 });
    await stack.workersReady();
    await stack.enqueue(file, 'baseline');
    stack.emulator.resetStats();
    const started = performance.now();
    await stack.pauseSubmissions(false);
    const p = await stack.waitFinal('baseline', { timeoutMs: 300_000, intervalMs: 250, total: files });
    const ms = performance.now() - started;
    const { rows } = await stack.pool.query('SELECT sum(audio_duration_s)::float8 AS s FROM media_files');
    const out = summarise(
      'mediatag (1 worker proc, MAX_IN_FLIGHT 200)',
      files,
      files,
      ms,
      p.tagged + p.unmatched,
      stack.emulator.stats(),
    );
    out.audioSeconds = Number(rows[0]?.s ?? 0);
    ctx.log(`  mediatag: ${files} files in ${fmt.s(ms)} (${p.failed} failed)`);
    return out;
  } finally {
    await stack.close();
  }
}

export const baselines: Scenario = {
  name: 'baselines',
  title: 'drain 1,000 files: guide script vs naive BullMQ vs mediatag',
  async run(ctx): Promise<ScenarioResult> {
    const files = ctx.quick ? 300 : 1_000;
    const subset = ctx.quick ? 4 : 8;
    const results = [await guide(ctx, files, subset), await naive(ctx, files), await mediatag(ctx, files)];
    const [script, , own] = results as [DrainResult, DrainResult, DrainResult];
    // The subset's audio may be shorter or longer than the average: scale by the work in it
    // (every file's length is known from mediatag's run of the same URLs).
    if (script.audioSeconds && own.audioSeconds) {
      const ratio = perFileWork(files, own.audioSeconds) / perFileWork(script.ran, script.audioSeconds);
      script.drainMs = script.ms * ratio;
      ctx.log(
        `  guide script, corrected for the subset's audio length: ${fmt.s(script.drainMs)} for ${files}`,
      );
    }
    const rows: Row[] = results.map((r) => ({
      scenario: 'baselines',
      case: files === 1_000 ? r.name : `${r.name}, ${fmt.int(files)} files`,
      figure: `${fmt.s(r.drainMs)}${r.ran < r.files ? ' (extrap.)' : ''}`,
      value: r.drainMs,
      unit: 'ms',
      target: r === own ? 'fastest' : `×${(r.drainMs / own.drainMs).toFixed(1)} mediatag's time`,
      pass: r === own ? results.every((o) => o === own || o.drainMs > own.drainMs) : null,
      note:
        `${r.ran < r.files ? `ran ${r.ran} of ${r.files} evenly spaced files (${fmt.s(r.ms)}), extrapolated linearly in the work per file (5 emulated s + processing of its audio; plain ×${r.files / r.ran}: ${fmt.s(r.linearMs ?? 0)}); ` : ''}` +
        `${r.getsPerTranscript.toFixed(2)} GETs/transcript, ${r.rateLimited429s} 429s, max ${r.maxOpen} open, slot utilisation ${fmt.pct(r.utilisation)}; ` +
        `${fmt.int(r.drainMs / TIME_SCALE)} emulated s ≈ ${(r.drainMs / TIME_SCALE / 3600).toFixed(2)} h in production`,
    }));
    return { rows, details: { timeScale: TIME_SCALE, files, results } };
  },
};
