import type { ChildProcess } from 'node:child_process';
import { SAMPLES } from '@mediatag/emulator/samples';
import { createQueues, createRedis } from '@mediatag/queue';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, sampleCopies, startHarness } from './harness.ts';

const sample = SAMPLES[0];
if (!sample) throw new Error('no samples');
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: not after ${timeoutMs} ms; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('mediatag worker --exit-when-done (a nightly job)', () => {
  it('exits 0 once every file of the batch is final, 1 when one failed', async () => {
    h = await startHarness();
    const urls = sampleCopies(h.emulator.url, [sample.id], 3);
    await h.cli(['enqueue', '-', '--batch', 'night'], urls.join('\n'));
    const worker = h.spawnWorker({}, ['--exit-when-done', '--batch', 'night']);
    expect(await exitOf(worker)).toBe(0);
    expect(await h.progress('night')).toMatchObject({ total: 3, tagged: 3, failed: 0 });

    const broken = `${h.emulator.url}/broken/episode-9.mp3`;
    await h.cli(['enqueue', '-', '--batch', 'night-2'], [`${urls[0]}&n=2`, broken].join('\n'));
    const again = h.spawnWorker({}, ['--exit-when-done']);
    expect(await exitOf(again)).toBe(1);
    expect(await h.progress('night-2')).toMatchObject({ total: 2, tagged: 1, failed: 1 });
  }, 120_000);

  it('refuses an unknown batch (exit 2) instead of waiting for nothing', async () => {
    h = await startHarness();
    const out = await h.cli(['worker', '--exit-when-done', '--batch', 'nope']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('no batch named "nope"');
  }, 60_000);
});

describe('spending cap', () => {
  it('stops submitting at the cap, says so, and resumes when the cap is raised', async () => {
    // Every file is the same sample, so each costs exactly `each`; the estimate before the
    // first one completes is the same audio length, so the figures are exact whatever the order.
    const price = 3.6;
    const each = (sample.durationSeconds * price) / 3600;
    h = await startHarness({
      env: {
        PRICE_PER_AUDIO_HOUR: String(price),
        LLM_PRICE_INPUT_PER_MTOK: '0',
        LLM_PRICE_OUTPUT_PER_MTOK: '0',
        COST_ESTIMATE_AUDIO_S: String(sample.durationSeconds),
      },
    });
    const urls = sampleCopies(h.emulator.url, [sample.id], 5);
    const cap = (each * 2.5).toFixed(6);
    const enq = await h.cli(['enqueue', '-', '--batch', 'capped', '--max-cost', cap], urls.join('\n'));
    expect(enq.code).toBe(0);
    await h.startWorkers();

    // Two fit under 2.5 × the cost of one; the third would pass the cap.
    const held = await until(
      'status names the cap',
      () => h?.cli(['status', '--batch', 'capped']) ?? Promise.reject(new Error('no harness')),
      (out) => out.stdout.includes('spending cap reached'),
    );
    expect(held.stdout).toContain(`of the $${Number(cap).toFixed(4)} cap`);
    expect(held.stdout).toContain('mediatag batch set-cap capped USD');
    await until(
      'two files final',
      () => h?.progress('capped') ?? Promise.reject(new Error('no harness')),
      (p) => p.final === 2,
    );
    // Every other file has been looked at and held: its job waits CAP_RECHECK_MS (minutes),
    // and nothing else of the batch can run before that.
    const redis = createRedis(h.env.REDIS_URL as string, 'producer');
    const queues = createQueues(redis, h.prefix);
    try {
      await until(
        'three files held',
        () => queues.transcribe.getJobCounts('waiting', 'prioritized', 'active', 'delayed'),
        (n) => n.delayed === 3 && n.waiting === 0 && n.prioritized === 0 && n.active === 0,
      );
    } finally {
      await queues.close();
      redis.disconnect();
    }
    expect(h.emulator.stats().submissions).toBe(2);
    expect(await h.progress('capped')).toMatchObject({ total: 5, tagged: 2, pending: 3 });
    const json = JSON.parse((await h.cli(['status', '--batch', 'capped', '--json'])).stdout);
    expect(json.reasons.map((r: { code: string }) => r.code)).toContain('spending-cap');
    const capReason = json.reasons.find((r: { code: string }) => r.code === 'spending-cap');
    expect(capReason.details.capUsd).toBeCloseTo(Number(cap), 6);
    expect(capReason.details.spentUsd).toBeCloseTo(each * 2, 6);

    // Nothing else of the batch moves: --wait stops with the cap's own exit code.
    const wait = await h.cli(['status', '--batch', 'capped', '--wait', '--interval', '0.1']);
    expect(wait.code).toBe(4);
    expect(wait.stderr).toContain('spending cap reached');
    // So does a nightly worker: it would otherwise run until its deadline.
    const nightly = h.spawnWorker({}, ['--exit-when-done', '--batch', 'capped']);
    expect(await exitOf(nightly)).toBe(4);
    expect(h.emulator.stats().submissions).toBe(2);

    // Raising it wakes the held files at once (their recheck is minutes away).
    const raised = await h.cli(['batch', 'set-cap', 'capped', (each * 10).toFixed(6)]);
    expect(raised.code).toBe(0);
    expect(raised.stdout).toContain('3 waiting files looked at again');
    const done = await h.waitFinal('capped', 30_000);
    expect(done).toMatchObject({ total: 5, tagged: 5, failed: 0 });
    expect(h.emulator.stats().submissions).toBe(5);
    const after = await h.cli(['status', '--batch', 'capped']);
    expect(after.stdout).not.toContain('why:');
  }, 120_000);

  it('--max-cost on an existing batch changes its cap; none removes it', async () => {
    h = await startHarness();
    const urls = sampleCopies(h.emulator.url, [sample.id], 2);
    await h.cli(['enqueue', '-', '--batch', 'c2', '--max-cost', '0'], urls.join('\n'));
    const cap = async () =>
      (await h?.db.pool.query("SELECT max_cost_usd::float8 AS cap FROM batches WHERE name = 'c2'"))?.rows[0]
        ?.cap;
    expect(await cap()).toBe(0);
    await h.cli(['enqueue', '-', '--batch', 'c2', '--max-cost', '1.5'], urls.join('\n'));
    expect(await cap()).toBe(1.5);
    expect((await h.cli(['batch', 'set-cap', 'c2', 'none'])).stdout).toContain('no cap');
    expect(await cap()).toBeNull();
    const bad = await h.cli(['batch', 'set-cap', 'c2', '-3']);
    expect(bad.code).toBe(2);
  }, 60_000);
});
