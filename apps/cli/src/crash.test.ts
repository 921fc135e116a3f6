import { SAMPLES } from '@mediatag/emulator/samples';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, sampleCopies, startHarness } from './harness.ts';

const ids = SAMPLES.map((s) => s.id);
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function assertAllDone(harness: Harness, batch: string, files: number) {
  const p = await harness.waitFinal(batch, 120_000);
  expect(p).toMatchObject({ total: files, tagged: files, failed: 0 });
  const stats = harness.emulator.stats();
  expect(stats.submissionsByAudioUrl.duplicates).toEqual({});
  expect(stats.submissions).toBe(files);
  const { rows } = await harness.db.pool.query(
    'SELECT count(*)::int AS results, count(DISTINCT (media_file_id, taxonomy_id))::int AS pairs FROM tag_results',
  );
  expect(rows[0]).toEqual({ results: files, pairs: files });
}

describe('crash safety', () => {
  it('a worker process killed with SIGKILL mid-run loses nothing and pays for nothing twice', async () => {
    h = await startHarness({ emulator: { timeScale: 15 } });
    const urls = sampleCopies(h.emulator.url, ids, 8);
    await h.cli(['enqueue', '-', '--batch', 'kill'], urls.join('\n'));
    const first = h.spawnWorker();
    await waitUntil(async () => ((await h?.progress('kill'))?.final ?? 0) >= urls.length / 4);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const mid = await h.progress('kill');
    expect(mid.final).toBeLessThan(urls.length);
    h.spawnWorker();
    await assertAllDone(h, 'kill', urls.length);
  }, 180_000);

  it('SIGTERM stops a worker gracefully (exit 0, running jobs finished or handed back)', async () => {
    h = await startHarness({ emulator: { timeScale: 15 } });
    const urls = sampleCopies(h.emulator.url, ids, 4);
    await h.cli(['enqueue', '-', '--batch', 'term'], urls.join('\n'));
    const first = h.spawnWorker();
    await waitUntil(async () => ((await h?.progress('term'))?.final ?? 0) >= urls.length / 4);
    const stoppedAt = Date.now();
    first.kill('SIGTERM');
    const code = await new Promise((resolve) => first.once('exit', resolve));
    expect(code).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(30_000);
    h.spawnWorker();
    await assertAllDone(h, 'term', urls.length);
  }, 180_000);

  it('Redis flushed mid-run: workers notice, rebuild the queues from Postgres, and every file finishes', async () => {
    h = await startHarness({ emulator: { timeScale: 15 } });
    const urls = sampleCopies(h.emulator.url, ids, 8);
    await h.cli(['enqueue', '-', '--batch', 'flush'], urls.join('\n'));
    await h.startWorkers();
    await waitUntil(async () => ((await h?.progress('flush'))?.final ?? 0) >= urls.length / 4);
    expect(await h.flushRedis()).toBeGreaterThan(0);
    await assertAllDone(h, 'flush', urls.length);
  }, 180_000);

  it('`mediatag reconcile` re-queues a batch whose jobs never reached Redis', async () => {
    h = await startHarness();
    const urls = sampleCopies(h.emulator.url, ids, 1);
    await h.cli(['enqueue', '-', '--batch', 'lost'], urls.join('\n'));
    await h.flushRedis();
    const out = await h.cli(['reconcile']);
    expect(out.stdout).toContain(`reconciled: ${urls.length} transcribe`);
    await h.startWorkers({ reconcile: false });
    await assertAllDone(h, 'lost', urls.length);
  }, 180_000);
});
