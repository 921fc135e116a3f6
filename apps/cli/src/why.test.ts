import type { ChildProcess } from 'node:child_process';
import { SAMPLES } from '@mediatag/emulator/samples';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, sampleCopies, startHarness } from './harness.ts';
import type { CliRun } from './testing.ts';

const ids = SAMPLES.map((s) => s.id);
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Runs `mediatag status --batch NAME` until its output contains `text` (generous wait). */
async function statusSays(
  harness: Harness,
  batch: string,
  text: string,
  timeoutMs = 60_000,
): Promise<CliRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await harness.cli(['status', '--batch', batch]);
    if (out.stdout.includes(text)) return out;
    if (Date.now() > deadline)
      throw new Error(`status never said "${text}"; last: ${out.stdout}${out.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function reasonCodes(harness: Harness, batch: string): Promise<string[]> {
  const out = await harness.cli(['status', '--batch', batch, '--json']);
  return (JSON.parse(out.stdout).reasons as { code: string }[]).map((r) => r.code);
}

describe('status says why a batch is not moving', () => {
  it('no worker: never seen, then seen N s ago after one stopped', async () => {
    h = await startHarness();
    await h.cli(
      ['enqueue', '-', '--batch', 'idle'],
      sampleCopies(h.emulator.url, ids.slice(0, 2), 1).join('\n'),
    );
    const never = await h.cli(['status', '--batch', 'idle']);
    expect(never.stdout).toContain(
      `why: no worker seen under QUEUE_PREFIX=${h.prefix}; start one: mediatag worker all`,
    );
    expect(await reasonCodes(h, 'idle')).toEqual(['no-worker']);
    // Without a worker, --wait keeps waiting (one may be started): only --timeout ends it.
    const waited = await h.cli([
      'status',
      '--batch',
      'idle',
      '--wait',
      '--interval',
      '0.1',
      '--timeout',
      '0.5',
    ]);
    expect(waited.code).toBe(124);
    expect(waited.stderr).toContain('no worker seen');

    const worker = h.spawnWorker();
    await h.waitFinal('idle');
    worker.kill('SIGTERM');
    expect(await exitOf(worker)).toBe(0);
    await h.cli(
      ['enqueue', '-', '--batch', 'idle'],
      sampleCopies(h.emulator.url, ids.slice(2, 3), 1).join('\n'),
    );
    const gone = await h.cli(['status', '--batch', 'idle']);
    expect(gone.stdout).toMatch(
      /why: no worker seen for \d+ s \(last: .+ at .+Z\); start one: mediatag worker all/,
    );
  }, 120_000);

  it('a rejected API key: status names it and the worker; --wait exits 3', async () => {
    h = await startHarness();
    await h.cli(
      ['enqueue', '-', '--batch', 'badkey'],
      sampleCopies(h.emulator.url, ids.slice(0, 2), 1).join('\n'),
    );
    const worker = h.spawnWorker({ ASSEMBLYAI_API_KEY: 'not-the-emulator-key' });
    const out = await statusSays(h, 'badkey', 'rejected the API key');
    expect(out.stdout).toContain('why: submissions paused: AssemblyAI rejected the API key (first at ');
    expect(out.stdout).toContain(`pid ${worker.pid}`);
    expect(out.stdout).toContain('set ASSEMBLYAI_API_KEY to a valid key and restart the workers');
    expect(await reasonCodes(h, 'badkey')).toEqual(['key-rejected']);
    expect(h.emulator.stats().submissions).toBe(0);

    const wait = await h.cli(['status', '--batch', 'badkey', '--wait', '--interval', '0.1']);
    expect(wait.code).toBe(3);
    expect(wait.stderr).toContain(
      'cannot progress without you: submissions paused: AssemblyAI rejected the API key',
    );
    expect((await h.progress('badkey')).pending).toBe(2);
  }, 120_000);

  it('a rejected API key ends `worker --exit-when-done` with exit 3, and status still says why', async () => {
    h = await startHarness();
    await h.cli(
      ['enqueue', '-', '--batch', 'badkey'],
      sampleCopies(h.emulator.url, ids.slice(0, 2), 1).join('\n'),
    );
    const nightly = h.spawnWorker({ ASSEMBLYAI_API_KEY: 'not-the-emulator-key' }, ['--exit-when-done']);
    expect(await exitOf(nightly)).toBe(3);
    expect(h.emulator.stats().submissions).toBe(0);
    expect(await reasonCodes(h, 'badkey')).toEqual(['no-worker', 'key-rejected']);
  }, 120_000);

  it("waiting for the gateway's per-model limit", async () => {
    h = await startHarness({ env: { LLM_RATE_LIMIT: '1/60' } });
    await h.cli(
      ['enqueue', '-', '--batch', 'slow-tags'],
      sampleCopies(h.emulator.url, ids.slice(0, 3), 1).join('\n'),
    );
    await h.startWorkers();
    const out = await statusSays(h, 'slow-tags', "waiting for the gateway's per-model limit");
    expect(out.stdout).toContain('1 requests / 60 s');
    expect(await reasonCodes(h, 'slow-tags')).toContain('gateway-limit');
  }, 120_000);

  it('AssemblyAI queueing our submissions (throttled)', async () => {
    // One slot at the "account", four in flight: three wait at AssemblyAI, marked throttled.
    h = await startHarness({
      emulator: { concurrency: 1, timeScale: 2000 },
      env: { MAX_IN_FLIGHT: '4' },
    });
    await h.cli(
      ['enqueue', '-', '--batch', 'queued'],
      sampleCopies(h.emulator.url, ids.slice(0, 4), 1).join('\n'),
    );
    await h.startWorkers();
    const out = await statusSays(h, 'queued', 'AssemblyAI is queueing');
    expect(out.stdout).toMatch(/AssemblyAI is queueing \d+ of our submissions \(throttled/);
  }, 120_000);

  it('everything left has failed: the count and the retry command; --wait exits 1', async () => {
    h = await startHarness();
    const broken = [`${h.emulator.url}/broken/a.mp3`, `${h.emulator.url}/broken/b.mp3`];
    await h.cli(['enqueue', '-', '--batch', 'bad'], broken.join('\n'));
    await h.startWorkers();
    await h.waitFinal('bad');
    const out = await h.cli(['status', '--batch', 'bad']);
    expect(out.stdout).toContain(
      'why: everything left has failed: 2 files (see the error column of tagged_files, then run: mediatag retry --batch bad)',
    );
    expect(await reasonCodes(h, 'bad')).toEqual(['only-failed']);
    expect((await h.cli(['status', '--batch', 'bad', '--wait', '--interval', '0.1'])).code).toBe(1);
  }, 120_000);
});
