// Scenario 3: API requests per transcript, polling and webhook mode, at the emulator's
// production rate limit (20,000 per 5 real minutes) and mediatag's default request budget.
import { join } from 'node:path';
import { CountingProxy } from '../lib/proxy.ts';
import { type BenchContext, fmt, type Row, type Scenario, type ScenarioResult } from '../lib/report.ts';
import { scaled } from '../lib/scaled.ts';
import { type ServeProc, serveAvailable, startServe, webhookEnv } from '../lib/serve.ts';
import { Stack } from '../lib/stack.ts';
import { audioUrls, writeLines } from '../lib/workload.ts';

// 500 real ms per emulated second: the request rate this makes (~100/s) stays within the
// production budget's burst plus refill over the run; faster would measure the budget.
const TIME_SCALE = 500;
// MAX_IN_FLIGHT's default: the files submitted before any transcript finished.
const FIRST_WAVE = 200;

export interface RequestsCase {
  mode: 'polling' | 'webhook';
  files: number;
  wallMs: number;
  getsPerTranscript: number;
  /** Mean GETs of the transcripts submitted after the first 200 (the schedule had learnt by then). */
  getsAfterFirstWave: number | null;
  maxGetsPerTranscript: number;
  submissions: number;
  requestsTotal: number;
  rateLimited429s: number;
  webhookDeliveries: number;
  webhookFailures: number;
  failed: number;
}

export async function requestsCase(
  ctx: BenchContext,
  mode: 'polling' | 'webhook',
  files: number,
): Promise<RequestsCase> {
  const hook = mode === 'webhook' ? await webhookEnv() : {};
  const stack = await Stack.start({
    name: `req-${mode}`,
    // Production defaults (rate limit 20,000/300 s, 200 slots), processing compressed in time.
    emulator: { timeScale: TIME_SCALE, gateway: { requestsPerMinute: 100_000_000 } },
    env: {
      // ASSEMBLYAI_RATE_LIMIT left at mediatag's default (19000/300).
      POLL_MIN_MS: String(scaled(TIME_SCALE, 3)),
      POLL_MAX_MS: String(scaled(TIME_SCALE, 60)),
      POLL_SWEEP_MS: String(scaled(TIME_SCALE, 2)),
      LLM_RATE_LIMIT: '100000000/60',
      ...hook,
    },
  });
  let serve: ServeProc | undefined;
  let proxy: CountingProxy | undefined;
  try {
    if (mode === 'webhook') serve = await startServe(stack.env);
    else {
      // Polling: count GETs per transcript on the way to the emulator.
      proxy = await CountingProxy.start(stack.emulator.url);
      stack.env.ASSEMBLYAI_BASE_URL = proxy.url;
      stack.env.LLM_GATEWAY_URL = proxy.url;
    }
    const file = join(ctx.tmpDir, `requests-${mode}.txt`);
    await writeLines(file, audioUrls(stack.emulator.url, files));
    await stack.pauseSubmissions(true);
    stack.spawnWorker({ concurrency: 50 });
    await stack.workersReady();
    await stack.enqueue(file, 'requests');
    stack.emulator.resetStats();
    const started = performance.now();
    await stack.pauseSubmissions(false);
    const p = await stack.waitFinal('requests', { timeoutMs: 240_000, intervalMs: 250, total: files });
    const wallMs = performance.now() - started;
    const stats = stack.emulator.stats();
    const result: RequestsCase = {
      mode,
      files,
      wallMs,
      getsPerTranscript: stats.getsByTranscript.meanPerCompletedTranscript,
      getsAfterFirstWave: proxy ? proxy.meanGets(FIRST_WAVE) : null,
      maxGetsPerTranscript: stats.getsByTranscript.maxPerTranscript,
      submissions: stats.submissions,
      requestsTotal: stats.requestsTotal,
      rateLimited429s: stats.rateLimited429s,
      webhookDeliveries: stats.webhookDeliveries,
      webhookFailures: stats.webhookFailures,
      failed: p.failed,
    };
    ctx.log(
      `  ${mode}: ${result.getsPerTranscript.toFixed(2)} GETs per transcript (max ${result.maxGetsPerTranscript}${result.getsAfterFirstWave === null ? '' : `; ${result.getsAfterFirstWave.toFixed(2)} after the first ${FIRST_WAVE}`}), ${result.rateLimited429s} 429s, ${result.requestsTotal} requests for ${files} files in ${fmt.s(wallMs)}`,
    );
    return result;
  } finally {
    await serve?.stop();
    await stack.close();
    await proxy?.close();
  }
}

export const requests: Scenario = {
  name: 'requests',
  title: 'API requests per transcript and 429s at production rate limits',
  async run(ctx): Promise<ScenarioResult> {
    const files = ctx.quick ? 250 : 600;
    const rows: Row[] = [];
    const cases: RequestsCase[] = [];
    const polling = await requestsCase(ctx, 'polling', files);
    cases.push(polling);
    const hasServe = await serveAvailable({ PATH: process.env.PATH ?? '' });
    let webhook: RequestsCase | undefined;
    let webhookError: string | undefined;
    if (hasServe) {
      try {
        webhook = await requestsCase(ctx, 'webhook', files);
        cases.push(webhook);
      } catch (error) {
        webhookError = String(error).slice(0, 500);
        ctx.log(`  webhook mode failed: ${webhookError}`);
      }
    } else {
      ctx.log('  webhook mode skipped: this checkout has no `mediatag serve` command');
    }
    const detail = (c: RequestsCase) =>
      `${fmt.int(c.files)} files, ${c.requestsTotal} API requests, max ${c.maxGetsPerTranscript} GETs on one transcript, ${c.failed} failed, ${fmt.s(c.wallMs)}` +
      (c.mode === 'webhook'
        ? `, ${c.webhookDeliveries} webhooks delivered, ${c.webhookFailures} failed`
        : '');
    rows.push({
      scenario: 'requests',
      case: 'polling: GETs per transcript',
      figure: c2(polling.getsPerTranscript),
      value: polling.getsPerTranscript,
      unit: 'GETs',
      target: '≤ 3',
      pass: polling.getsPerTranscript <= 3,
      note: `${detail(polling)}; timeScale ${TIME_SCALE} ms per emulated s, poll bounds scaled alike`,
    });
    rows.push({
      scenario: 'requests',
      case: `polling: GETs/transcript after the first ${FIRST_WAVE}`,
      figure: c2(polling.getsAfterFirstWave ?? 0),
      value: polling.getsAfterFirstWave,
      unit: 'GETs',
      target: '— (steady state)',
      pass: null,
      note: `the first ${FIRST_WAVE} are submitted before any transcript finished, when the schedule has learnt nothing yet`,
    });
    rows.push({
      scenario: 'requests',
      case: 'polling: 429s received',
      figure: String(polling.rateLimited429s),
      value: polling.rateLimited429s,
      unit: '429s',
      target: '0',
      pass: polling.rateLimited429s === 0,
    });
    if (webhook) {
      rows.push({
        scenario: 'requests',
        case: 'webhook: GETs per transcript',
        figure: c2(webhook.getsPerTranscript),
        value: webhook.getsPerTranscript,
        unit: 'GETs',
        target: '≤ 1.05',
        pass: webhook.getsPerTranscript <= 1.05,
        note: detail(webhook),
      });
      rows.push({
        scenario: 'requests',
        case: 'webhook: 429s received',
        figure: String(webhook.rateLimited429s),
        value: webhook.rateLimited429s,
        unit: '429s',
        target: '0',
        pass: webhook.rateLimited429s === 0,
      });
    } else {
      rows.push({
        scenario: 'requests',
        case: 'webhook: GETs per transcript',
        figure: '—',
        value: null,
        unit: 'GETs',
        target: '≤ 1.05',
        pass: webhookError ? false : null,
        note: webhookError
          ? `webhook run failed: ${webhookError}`
          : 'skipped: `mediatag serve` is not available in this checkout',
      });
    }
    return { rows, details: { timeScale: TIME_SCALE, serveAvailable: hasServe, cases } };
  },
};

const c2 = (n: number) => n.toFixed(2);
