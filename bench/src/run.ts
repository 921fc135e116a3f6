// `npm run bench [-- --quick] [-- --only a,b]`: runs the scenarios against the real CLI and
// worker processes, prints a table and writes bench/results/<timestamp>.json and latest.json.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ROOT } from './lib/proc.ts';
import { type BenchContext, fmt, type Row, renderTable, type Scenario, writeResults } from './lib/report.ts';
import { Stack } from './lib/stack.ts';
import { baselines } from './scenarios/baselines.ts';
import { enqueue } from './scenarios/enqueue.ts';
import { memory } from './scenarios/memory.ts';
import { metricsLoad } from './scenarios/metrics-load.ts';
import { production } from './scenarios/production.ts';
import { requests } from './scenarios/requests.ts';
import { startup } from './scenarios/startup.ts';
import { throughput } from './scenarios/throughput.ts';
import { utilisation } from './scenarios/utilisation.ts';

const SCENARIOS: Scenario[] = [
  production,
  throughput,
  utilisation,
  requests,
  enqueue,
  memory,
  baselines,
  metricsLoad,
  startup,
];
const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

const USAGE = `usage: npm run bench [-- --quick] [-- --only NAME[,NAME…]] [-- --list]
  --quick   smaller sizes, about 2 minutes
  --only    run some scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`;

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  } catch {
    return null;
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.list) {
    for (const s of SCENARIOS) console.log(`${s.name.padEnd(12)} ${s.title}`);
    return 0;
  }
  const wanted = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = wanted?.filter((w) => !SCENARIOS.some((s) => s.name === w)) ?? [];
  if (unknown.length) {
    console.error(`unknown scenario ${unknown.join(', ')}\n${USAGE}`);
    return 2;
  }
  const selected = SCENARIOS.filter((s) => !wanted || wanted.includes(s.name));
  const tmpDir = await mkdtemp(join(tmpdir(), 'mediatag-bench-'));
  const started = performance.now();
  const ctx: BenchContext = {
    quick: values.quick === true,
    tmpDir,
    log: (message) => console.log(message),
  };
  const interrupted = () => {
    console.error('\ninterrupted: cleaning up databases, Redis keys and processes…');
    void Promise.allSettled([...Stack.open].map((s) => s.close())).then(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  console.log(
    `mediatag bench${ctx.quick ? ' (quick)' : ''}: ${selected.map((s) => s.name).join(', ')} on ${cpus().length} cores, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const rows: Row[] = [];
  const details: Record<string, unknown> = {};
  for (const scenario of selected) {
    const t = performance.now();
    console.log(`\n== ${scenario.name}: ${scenario.title}`);
    try {
      const result = await scenario.run(ctx);
      rows.push(...result.rows);
      details[scenario.name] = {
        ...result.details,
        seconds: (performance.now() - t) / 1000,
        loadAfter: loadavg(),
      };
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`${scenario.name} failed: ${message}`);
      rows.push({
        scenario: scenario.name,
        case: 'run',
        figure: 'error',
        value: null,
        unit: '',
        target: '—',
        pass: false,
        note: message.split('\n')[0]?.slice(0, 300) ?? 'error',
      });
      details[scenario.name] = { error: message };
    }
    console.log(`   (${fmt.s(performance.now() - t)})`);
  }
  const totalMs = performance.now() - started;
  console.log(`\n${renderTable(rows)}\n`);
  const path = await writeResults(RESULTS_DIR, {
    startedAt: new Date(Date.now() - totalMs).toISOString(),
    totalSeconds: totalMs / 1000,
    quick: ctx.quick,
    commit: gitCommit(),
    machine: {
      cores: cpus().length,
      memoryGb: totalmem() / 2 ** 30,
      node: process.version,
      loadAfter: loadavg(),
    },
    rows,
    details,
  });
  console.log(`total ${fmt.s(totalMs)}; results in ${path} (and results/latest.json)`);
  await rm(tmpDir, { recursive: true, force: true });
  return rows.some((r) => r.pass === false) ? 1 : 0;
}

process.exitCode = await main();
// Stray handles (a keep-alive socket) must not hold the process open.
setTimeout(() => process.exit(), 1000).unref();
