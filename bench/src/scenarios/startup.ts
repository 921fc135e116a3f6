// Scenario: how long `mediatag` takes from exec to exit, as users run it (node + the bin),
// for `--help` (loads almost nothing) and `status --batch X` against a real migrated database
// holding a batch (config, Postgres, one query). Median of 10 runs each; for comparison, the
// same `--help` from the TypeScript sources through tsx, what the bin falls back to when the
// build is stale (and, with every command loaded up front, what every start paid before).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../lib/proc.ts';
import type { BenchContext, Row, Scenario, ScenarioResult } from '../lib/report.ts';
import { Stack } from '../lib/stack.ts';
import { sampleUrls, writeLines } from '../lib/workload.ts';

const RUNS = 10;
const TARGETS = { help: 400, status: 800 };
// Printed by the bin when the build is stale and it falls back to the sources.
const FALLBACK = 'running the sources through tsx';

/** The median of some numbers. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

interface Timing {
  argv: string[];
  runs: number[];
  medianMs: number;
  fromSources: boolean;
}

async function time(stack: Stack, argv: string[], runs: number): Promise<Timing> {
  const wall: number[] = [];
  let fromSources = false;
  for (let i = 0; i < runs; i++) {
    const run = await stack.cli(argv, { timeoutMs: 60_000 });
    if (run.code !== 0) throw new Error(`mediatag ${argv.join(' ')} exited ${run.code}: ${run.stderr}`);
    fromSources ||= run.stderr.includes(FALLBACK);
    if (argv[0] === '--help' && !run.stdout.startsWith('usage: mediatag'))
      throw new Error('no usage on stdout');
    wall.push(run.wallMs);
  }
  return { argv, runs: wall, medianMs: median(wall), fromSources };
}

/** `--help` from the sources through tsx, as the bin runs it when the build is stale. */
async function timeFromSources(env: Record<string, string>, runs: number): Promise<number[]> {
  const entry = `import { register } from 'tsx/esm/api'; register();
const { main } = await import(${JSON.stringify(join(ROOT, 'apps/cli/src/main.ts'))});
process.exitCode = await main(process.argv.slice(1), process.env);`;
  const wall: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', entry, '--', '--help'], {
      cwd: join(ROOT, 'apps/cli'),
      env,
      encoding: 'utf8',
    });
    if (r.status !== 0 || !r.stdout.startsWith('usage: mediatag'))
      throw new Error(`tsx --help exited ${r.status}: ${r.stderr}`);
    wall.push(performance.now() - started);
  }
  return wall;
}

export const startup: Scenario = {
  name: 'startup',
  title: `CLI start-up: median of ${RUNS} runs of --help and status --batch`,
  async run(ctx: BenchContext): Promise<ScenarioResult> {
    const stack = await Stack.start({ name: 'startup' });
    try {
      const file = join(ctx.tmpDir, 'startup.txt');
      await writeLines(file, sampleUrls(stack.emulator.url, 40));
      await stack.enqueue(file, 'startup');
      // One unmeasured run each: the page cache holds node, the bundle and node_modules, as
      // it does for anyone who runs mediatag twice.
      await time(stack, ['--help'], 1);
      const help = await time(stack, ['--help'], RUNS);
      await time(stack, ['status', '--batch', 'startup'], 1);
      const status = await time(stack, ['status', '--batch', 'startup'], RUNS);
      const sources = await timeFromSources(stack.env, ctx.quick ? 1 : 3);
      for (const t of [help, status]) {
        ctx.log(
          `  mediatag ${t.argv.join(' ')}: median ${t.medianMs.toFixed(0)} ms (runs ${t.runs.map((r) => r.toFixed(0)).join(', ')})${t.fromSources ? ' FROM SOURCES (stale build)' : ''}`,
        );
      }
      ctx.log(`  --help from the sources through tsx: ${sources.map((r) => r.toFixed(0)).join(', ')} ms`);
      const row = (t: Timing, target: number): Row => ({
        scenario: 'startup',
        case: `mediatag ${t.argv.join(' ')}`,
        figure: `${(t.medianMs / 1000).toFixed(2)} s median`,
        value: t.medianMs,
        unit: 'ms',
        target: `≤ ${(target / 1000).toFixed(1)} s`,
        pass: t.medianMs <= target && !t.fromSources,
        note: t.fromSources
          ? 'ran from the sources: the build is stale (npm run build)'
          : `min ${Math.min(...t.runs).toFixed(0)} ms, max ${Math.max(...t.runs).toFixed(0)} ms`,
      });
      return {
        rows: [
          row(help, TARGETS.help),
          row(status, TARGETS.status),
          {
            scenario: 'startup',
            case: '--help from the sources through tsx (stale-build fallback)',
            figure: `${(median(sources) / 1000).toFixed(2)} s median`,
            value: median(sources),
            unit: 'ms',
            target: '—',
            pass: null,
            note: `${sources.length} runs`,
          },
        ],
        details: { help, status, fromSourcesMs: sources },
      };
    } finally {
      await stack.close();
    }
  },
};
