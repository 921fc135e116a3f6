// Child processes of the real CLI: spawn, wait, and measure peak resident memory.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/src/lib → ../../..). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The `mediatag` entry point, run by node exactly as users run it. */
export const BIN = fileURLToPath(new URL('../../../apps/cli/bin/mediatag.js', import.meta.url));
const GNU_TIME = '/usr/bin/time';

/** What a finished command left behind. */
export interface ProcResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Peak resident set size in MB (GNU time's "Maximum resident set size", else /proc VmHWM). */
  peakRssMb: number | null;
  rssMethod: 'gnu-time' | 'proc' | 'none';
}

/** Reads VmHWM (peak RSS) of a live process in MB, or null when it is gone. */
export function readPeakRssMb(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}

/** Tracks the peak RSS of a live process by polling /proc (the last VmHWM seen before it exits). */
export class RssWatch {
  peakMb = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    everyMs = 200,
  ) {
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  sample(): number {
    const mb = readPeakRssMb(this.pid);
    if (mb !== null) this.peakMb = Math.max(this.peakMb, mb);
    return this.peakMb;
  }

  stop(): number {
    clearInterval(this.timer);
    return this.sample();
  }
}

/** Options of one `mediatag …` run. */
export interface RunOptions {
  env: Record<string, string>;
  /** File whose bytes become stdin (streamed, never held in memory). */
  stdinFile?: string;
  /** Measure peak RSS (GNU time when installed, else /proc polling). */
  measureRss?: boolean;
  timeoutMs?: number;
}

/** Extra node flags for CLI runs (e.g. --cpu-prof while investigating). */
export const cliNodeArgs: string[] = [];

/** Runs `node apps/cli/bin/mediatag.js ARGV…` to completion. */
export async function runMediatag(argv: string[], options: RunOptions): Promise<ProcResult> {
  const useTime = options.measureRss === true && existsSync(GNU_TIME);
  const [cmd, args] = useTime
    ? [GNU_TIME, ['-v', process.execPath, ...cliNodeArgs, BIN, ...argv]]
    : [process.execPath, [...cliNodeArgs, BIN, ...argv]];
  const started = performance.now();
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: options.env,
    stdio: [options.stdinFile ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const watch = options.measureRss && !useTime && child.pid ? new RssWatch(child.pid, 100) : undefined;
  if (options.stdinFile && child.stdin) {
    const { createReadStream } = await import('node:fs');
    const input = createReadStream(options.stdinFile);
    // The CLI may stop reading (exit 2 on garbage) before the end: that is not our error.
    child.stdin.on('error', () => {});
    input.pipe(child.stdin);
  }
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  child.stderr?.on('data', (c: Buffer) => err.push(c));
  const timer = options.timeoutMs
    ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs).unref()
    : undefined;
  const [code, signal] = await exited(child);
  if (timer) clearTimeout(timer);
  const wallMs = performance.now() - started;
  let stderr = Buffer.concat(err).toString();
  let peakRssMb: number | null = null;
  let rssMethod: ProcResult['rssMethod'] = 'none';
  if (useTime) {
    const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1];
    if (kb !== undefined) {
      peakRssMb = Number(kb) / 1024;
      rssMethod = 'gnu-time';
    }
    // GNU time's report follows the command's own stderr; keep only the command's.
    stderr = stderr.replace(
      /\s*(Command exited with non-zero status \d+\s*)?\tCommand being timed:[\s\S]*$/,
      '\n',
    );
  } else if (watch) {
    peakRssMb = watch.stop();
    rssMethod = 'proc';
  }
  return { code, signal, stdout: Buffer.concat(out).toString(), stderr, wallMs, peakRssMb, rssMethod };
}

/** Resolves with the exit code and signal once the child is gone. */
export function exited(child: ChildProcess): Promise<[number | null, NodeJS.Signals | null]> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve([child.exitCode, child.signalCode]);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
}

/** Keeps the last lines a child wrote, for a diagnosis when something goes wrong. */
export class Tail {
  private lines: string[] = [];
  private partial = '';

  constructor(private readonly keep = 40) {}

  push(chunk: Buffer | string): void {
    const parts = (this.partial + chunk.toString()).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts.filter((l) => l !== ''));
    if (this.lines.length > this.keep) this.lines = this.lines.slice(-this.keep);
  }

  text(): string {
    return [...this.lines, this.partial].filter(Boolean).join('\n');
  }
}

/** Waits until `check` is true, polling every `everyMs`. */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Rejects when `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
