// A flaky API: 5% answered 500, 2% connections dropped, 5% slow, and a small request budget
// at the emulator (bursts of 429s, on the REST API and the LLM Gateway). The run still
// finishes, with the same guarantees.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Stack } from '../lib/stack.ts';
import { sampleUrls, writeLines } from '../lib/workload.ts';
import { assertAllDone, duplicatesWithSavedIds } from './checks.ts';

const FILES = 1_000;

let stack: Stack | undefined;
afterAll(async () => {
  await stack?.close();
});

describe('chaos: faults injected by the API', () => {
  it(`${FILES} files finish through 500s, dropped connections, 429 bursts and slow answers`, async () => {
    stack = await Stack.start({
      name: 'chaos-faults',
      emulator: {
        timeScale: 100,
        // ~75 requests/s on /v2, and the gateway at 1 request/s (6 per emulated minute of 6 real
        // s at this timeScale): well under what 2 workers would send even batched (1,000 files
        // at up to 20 a request are 50+ requests within seconds).
        rateLimit: { requests: 150, windowSeconds: 2 },
        gateway: { requestsPerMinute: 6 },
        faults: { http500Rate: 0.05, dropRate: 0.02, slowRate: 0.05, slowMs: 1500 },
      },
      env: {
        JOB_LOCK_MS: '5000',
        POLL_MIN_MS: '100',
        POLL_MAX_MS: '2000',
        // mediatag's own budgets far above the emulator's: the 429s must come and be survived.
        ASSEMBLYAI_RATE_LIMIT: '100000000/300',
        LLM_RATE_LIMIT: '100000000/60',
      },
    });
    const s = stack;
    const file = join(process.env.TMPDIR ?? '/tmp', `${s.prefix}.txt`);
    await writeLines(file, sampleUrls(s.emulator.url, FILES));
    await s.enqueue(file, 'faults');
    s.spawnWorker({ concurrency: 20 });
    s.spawnWorker({ concurrency: 20 });
    await s.waitFinal('faults', { timeoutMs: 280_000, intervalMs: 500 });

    const stats = s.emulator.stats();
    console.log(
      `faults: ${JSON.stringify(stats.faultsInjected)}, ${stats.rateLimited429s} REST 429s, ${stats.gateway429s} gateway 429s, ${stats.requestsTotal} requests, ${stats.gatewayCalls} gateway calls`,
    );
    expect(stats.faultsInjected.http500).toBeGreaterThan(0);
    expect(stats.faultsInjected.drop).toBeGreaterThan(0);
    expect(stats.faultsInjected.slow).toBeGreaterThan(0);
    expect(stats.rateLimited429s).toBeGreaterThan(0);
    expect(stats.gateway429s).toBeGreaterThan(0);
    expect(await duplicatesWithSavedIds(s)).toEqual([]);
    await assertAllDone(s, 'faults', FILES);
  });
});
