// CPU accounting from /proc: who used the machine's two cores while a scenario ran. The
// machine is shared (other sessions compile and test), so "other" is reported beside ours.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS = 100; // USER_HZ on Linux

function procTicks(pid: number | string): { comm: string; ticks: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // utime and stime are fields 14 and 15; after "pid (comm) " they are at 11 and 12.
    return { comm, ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const n = line.trim().split(/\s+/).slice(1).map(Number);
  const total = n.reduce((a, b) => a + b, 0);
  const idle = (n[3] ?? 0) + (n[4] ?? 0);
  return { busy: total - idle, total };
}

/** Per-group CPU ticks at one moment. */
interface Snapshot {
  at: number;
  machine: { busy: number; total: number };
  perPid: Map<number, number>;
}

/** CPU seconds per group between start() and stop(). */
export interface CpuReport {
  wallS: number;
  /** Busy share of all cores over the interval (1 = both cores flat out). */
  machineBusy: number;
  seconds: Record<string, number>;
}

/** Measures CPU time of our workers, this process (emulator + poller), Postgres, Redis and the rest. */
export class CpuMeter {
  private start?: Snapshot;
  private last?: Snapshot;

  constructor(private readonly workerPids: () => number[]) {}

  private snap(): Snapshot {
    const perPid = new Map<number, number>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const pid = Number(name);
      const t = procTicks(pid);
      if (!t) continue;
      perPid.set(pid, t.ticks);
    }
    return { at: performance.now(), machine: machineTicks(), perPid };
  }

  begin(): void {
    this.start = this.snap();
  }

  end(): CpuReport {
    const start = this.start ?? this.snap();
    const end = this.snap();
    this.last = end;
    const workers = new Set(this.workerPids());
    const seconds: Record<string, number> = { workers: 0, bench: 0, postgres: 0, redis: 0, other: 0 };
    for (const [pid, ticks] of end.perPid) {
      const delta = ticks - (start.perPid.get(pid) ?? 0);
      if (delta <= 0) continue;
      const comm = procTicks(pid)?.comm ?? '';
      const group = workers.has(pid)
        ? 'workers'
        : pid === process.pid
          ? 'bench'
          : comm === 'postgres'
            ? 'postgres'
            : comm.startsWith('redis')
              ? 'redis'
              : 'other';
      seconds[group] = (seconds[group] ?? 0) + delta / TICKS;
    }
    const dBusy = end.machine.busy - start.machine.busy;
    const dTotal = end.machine.total - start.machine.total;
    for (const k of Object.keys(seconds)) seconds[k] = Math.round((seconds[k] ?? 0) * 10) / 10;
    return {
      wallS: Math.round((end.at - start.at) / 100) / 10,
      machineBusy: dTotal > 0 ? Math.round((dBusy / dTotal) * 1000) / 1000 : 0,
      seconds,
    };
  }

  /** CPU seconds of these processes between begin() and end() (e.g. one database's backends). */
  secondsOf(pids: number[]): number {
    const start = this.start;
    const end = this.last;
    if (!start || !end) return 0;
    let ticks = 0;
    for (const pid of pids) ticks += Math.max(0, (end.perPid.get(pid) ?? 0) - (start.perPid.get(pid) ?? 0));
    return Math.round((ticks / TICKS) * 10) / 10;
  }
}
