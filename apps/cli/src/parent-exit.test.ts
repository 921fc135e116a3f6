import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.ts';

const BIN = new URL('../bin/mediatag.js', import.meta.url).pathname;

// Acts like npx: starts the CLI with inherited stdio, reports its pid, and passes no signal
// on, so SIGTERM kills this parent alone (node's default) and leaves the CLI behind.
const LAUNCHER = `
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, process.argv.slice(1), { stdio: 'inherit' });
process.stdout.write(JSON.stringify({ pid: child.pid }) + '\\n');
setInterval(() => {}, 1000);
`;

let h: Harness;
const orphans: number[] = [];

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  for (const pid of orphans) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  await h?.close();
});

/** Starts `mediatag worker all` through the launcher; resolves once the worker says it runs. */
async function launch(
  env: Record<string, string>,
): Promise<{ parent: ChildProcess; pid: number; stderr: () => string }> {
  const parent = spawn(process.execPath, ['-e', LAUNCHER, BIN, 'worker', 'all', '--concurrency', '2'], {
    env: { ...h.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  parent.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const pid = await new Promise<number>((resolve, reject) => {
    parent.stdout?.once('data', (c: Buffer) => resolve((JSON.parse(c.toString()) as { pid: number }).pid));
    parent.once('exit', () => reject(new Error(`launcher exited: ${err}`)));
  });
  orphans.push(pid);
  const deadline = Date.now() + 20_000;
  while (!err.includes('running (concurrency 2)')) {
    if (Date.now() > deadline) throw new Error(`worker did not start: ${err}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { parent, pid, stderr: () => err };
}

/** True while `pid` is a live process (a zombie awaiting its reaper counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

describe('a long-running command whose parent goes away', () => {
  it('mediatag worker stops gracefully within seconds when the process that started it is killed', async () => {
    const { parent, pid, stderr } = await launch({});
    parent.kill('SIGTERM');
    expect(await waitGone(pid, 10_000)).toBe(true);
    expect(stderr()).toContain('mediatag worker: parent process exited: finishing running jobs');
  }, 40_000);

  it('keeps running orphaned with STOP_WITH_PARENT=0 (as under nohup)', async () => {
    const { parent, pid } = await launch({ STOP_WITH_PARENT: '0' });
    parent.kill('SIGTERM');
    // Well past the half-second check that stops a watching worker.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(alive(pid)).toBe(true);
    process.kill(pid, 'SIGTERM');
    expect(await waitGone(pid, 10_000)).toBe(true);
  }, 40_000);
});
