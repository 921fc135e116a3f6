import { cliEnvSchema, parseEnv } from '@mediatag/config';
import { SAMPLES } from '@mediatag/emulator/samples';
import { silentLogger } from '@mediatag/logger';
import { createWorkerDeps } from '@mediatag/pipeline';
import { redisKeys } from '@mediatag/queue';
import { type RunningServer, startServer } from '@mediatag/server';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, type Harness, sampleCopies, startHarness } from './harness.ts';

const mediaIds = SAMPLES.filter((s) => s.taxonomy === 'media').map((s) => s.id);
const SECRET = 'test-secret-0123456789';

let h: Harness | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await h?.close();
  h = undefined;
});

describe('mediatag serve in webhook mode (emulator delivers webhooks)', () => {
  it('200 files finish with about one GET per transcript, and /metrics shows the run', async () => {
    const port = await freePort();
    h = await startHarness({
      emulator: { timeScale: 20 },
      env: {
        WEBHOOK_BASE_URL: `http://127.0.0.1:${port}`,
        WEBHOOK_SECRET: SECRET,
        // The fallback poll (5 × POLL_MAX_MS after submission) must not fire during the run.
        POLL_MAX_MS: '20000',
      },
    });
    // The server on the same connections `mediatag serve` opens.
    const env = parseEnv(cliEnvSchema, h.env);
    const deps = await createWorkerDeps(env, silentLogger(), { requireKey: false });
    cleanups.push(() => deps.close());
    // The server reads the workers' keys (in-flight set, metrics hash) by its queues' prefix.
    expect(deps.keys.inflight).toBe(redisKeys(deps.queues.prefix).inflight);
    const server: RunningServer = await startServer({
      db: deps.db,
      redis: deps.redis,
      queues: deps.queues,
      log: silentLogger(),
      port,
      host: '127.0.0.1',
      webhook: { headerName: env.WEBHOOK_AUTH_HEADER, secret: SECRET },
    });
    cleanups.push(() => server.close());

    const urls = sampleCopies(h.emulator.url, mediaIds, Math.ceil(200 / mediaIds.length)).slice(0, 200);
    expect((await h.cli(['enqueue', '-', '--batch', 'hooks'], urls.join('\n'))).stdout).toContain(
      'added 200',
    );
    await h.startWorkers();
    const progress = await h.waitFinal('hooks', 25_000);
    expect(progress).toMatchObject({ total: 200, tagged: 200, failed: 0 });
    const { rows } = await h.db.pool.query(
      "SELECT count(*)::int AS n FROM tagged_files WHERE batch = 'hooks' AND transcript_status = 'completed' AND tag_status = 'tagged'",
    );
    expect(rows[0].n).toBe(200);

    const stats = h.emulator.stats();
    expect(stats.submissions).toBe(200);
    expect(stats.submissionsByAudioUrl.duplicates).toEqual({});
    expect(stats.webhookDeliveries).toBeGreaterThanOrEqual(200);
    expect(stats.webhookFailures).toBe(0);
    const mean = stats.getsByTranscript.meanPerCompletedTranscript;
    console.log(
      `webhook mode, 200 files: ${mean.toFixed(3)} GETs per transcript (${stats.getsTotal} GETs, ${stats.webhookDeliveries} webhook deliveries)`,
    );
    expect(mean).toBeLessThanOrEqual(1.05);

    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('mediatag_files{transcript_status="completed"} 200');
    expect(text).toContain('mediatag_tag_results{status="tagged"} 200');
    expect(text).toMatch(/^mediatag_queue_jobs\{queue="poll",state="delayed"\} \d+$/m);
    expect(text).toContain('mediatag_in_flight_transcripts 0');
    const value = (re: RegExp) => Number(re.exec(text)?.[1]);
    expect(value(/^mediatag_audio_hours_total (\S+)$/m)).toBeGreaterThan(0);
    expect(value(/^mediatag_llm_tokens_total\{direction="input"\} (\S+)$/m)).toBeGreaterThan(0);
    expect(value(/^mediatag_llm_tokens_total\{direction="output"\} (\S+)$/m)).toBeGreaterThan(0);
  }, 60_000);
});
