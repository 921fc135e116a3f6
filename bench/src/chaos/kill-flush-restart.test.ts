// 2,000 files while worker processes are killed with SIGKILL every few seconds (two alive on
// average, the killed ones restarted), Redis loses this run's keys once, and Postgres restarts
// once. Afterwards every file is final, none was paid for twice, one result per (file, taxonomy).
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sleep, waitUntil } from '../lib/proc.ts';
import { Stack, type WorkerProc } from '../lib/stack.ts';
import { sampleUrls, writeLines } from '../lib/workload.ts';
import { assertAllDone, duplicatesWithSavedIds } from './checks.ts';

const FILES = 2_000;
const skipPgRestart = process.env.CHAOS_SKIP_PG_RESTART === '1';

function restartPostgres(): void {
  const version = readdirSync('/etc/postgresql')[0];
  if (!version) throw new Error('no cluster under /etc/postgresql');
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart'], { stdio: 'pipe' });
}

let stack: Stack | undefined;
afterAll(async () => {
  await stack?.close();
});

describe('chaos: kill -9, Redis flush, Postgres restart', () => {
  it(`${FILES} files finish, each paid once, one tag result per file`, async () => {
    stack = await Stack.start({
      name: 'chaos-kill',
      // Real time: ~4 s a sample file, 200 slots: a run of about a minute to be chaotic in.
      emulator: {
        timeScale: 1000,
        rateLimit: { requests: 100_000_000, windowSeconds: 300 },
        gateway: { requestsPerMinute: 100_000_000 },
      },
      env: {
        // A killed worker's jobs come back after the lock expires: 5 s instead of 30 s.
        JOB_LOCK_MS: '5000',
        POLL_MIN_MS: '500',
        POLL_MAX_MS: '5000',
        ASSEMBLYAI_RATE_LIMIT: '100000000/300',
        LLM_RATE_LIMIT: '100000000/60',
      },
    });
    const s = stack;
    const file = join(process.env.TMPDIR ?? '/tmp', `${s.prefix}.txt`);
    await writeLines(file, sampleUrls(s.emulator.url, FILES));
    await s.enqueue(file, 'chaos');

    const spawn = () => s.spawnWorker({ concurrency: 20 });
    spawn();
    spawn();
    let done = false;
    let paused = false;
    let kills = 0;
    let spawned = 2;
    const killed: number[] = [];
    // Keep two alive: kill a random one every 2-5 s and start a replacement 0.5-1.5 s later;
    // a worker that exits by itself (e.g. started while Postgres was down) is replaced too.
    const chaos = (async () => {
      while (!done) {
        await sleep(2000 + Math.random() * 3000);
        if (done) break;
        if (!paused) {
          const alive = s.alive();
          const victim = alive[Math.floor(Math.random() * alive.length)];
          if (victim) {
            victim.child.kill('SIGKILL');
            killed.push(victim.pid);
            kills++;
            await victim.exit;
            await sleep(500 + Math.random() * 1000);
          }
        }
        while (!done && s.alive().length < 2) {
          spawn();
          spawned++;
        }
      }
    })();

    let flushed = 0;
    let restartedAt: number | undefined;
    let survivors: WorkerProc[] = [];
    const events = (async () => {
      await waitUntil(async () => done || (await s.finalCount()) >= FILES * 0.25, 240_000, '25% final', 250);
      if (done) return;
      flushed = await s.flushRedis();
      if (skipPgRestart) return;
      await waitUntil(
        async () => done || (await s.finalCount().catch(() => 0)) >= FILES * 0.55,
        240_000,
        '55%',
        250,
      );
      if (done) return;
      // No kills around the restart, so "the workers survived it" is about the restart alone.
      paused = true;
      await sleep(1000);
      survivors = s.alive();
      restartPostgres();
      restartedAt = Date.now();
      await sleep(8000);
      paused = false;
    })();

    try {
      const p = await s.waitFinal('chaos', { timeoutMs: 280_000, intervalMs: 500 });
      expect(p.final).toBe(FILES);
    } finally {
      done = true;
      await chaos;
      await events;
    }
    console.log(
      `chaos: ${kills} SIGKILLs, ${spawned} worker processes started, Redis flush deleted ${flushed} keys, Postgres restarted: ${restartedAt ? 'yes' : 'no'}; emulator: ${JSON.stringify({ ...s.emulator.stats(), submissionsByAudioUrl: undefined, faultsInjected: undefined })}`,
    );
    expect(kills).toBeGreaterThanOrEqual(5);
    expect(flushed).toBeGreaterThan(0);
    if (!skipPgRestart) {
      expect(restartedAt).toBeDefined();
      // Workers that were running when Postgres restarted rode it out (only our SIGKILLs end them).
      expect(survivors.length).toBeGreaterThan(0);
      for (const w of survivors) {
        if (!killed.includes(w.pid)) expect(w.child.exitCode, w.tail.text()).toBeNull();
      }
    }
    expect(await duplicatesWithSavedIds(s)).toEqual([]);
    await assertAllDone(s, 'chaos', FILES);
  });
});
