import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliEnv } from '@mediatag/config';
import { migrate, redactUrl } from '@mediatag/db';
import { UsageError } from '@mediatag/errors';
import { type Command, defineSpec, intOption, noPositionals, parseCommand } from '../args.ts';
import { Context } from '../context.ts';
import { ProgressReporter } from '../progress-bar.ts';
import { enqueueCommand } from './enqueue.ts';
import { resultsCommand } from './results.ts';
import { waitForBatch } from './status.ts';

const SPEC = defineSpec({
  usage: 'mediatag demo [--database-url URL] [--time-scale MS] [--concurrency N]',
  summary:
    'Runs the main job end to end with no account: migrates, starts an in-process emulator, enqueues its sample library, runs workers and prints the results.',
  options: {
    'database-url': { type: 'string' },
    'time-scale': { type: 'string' },
    concurrency: { type: 'string' },
  },
  help: {
    'database-url':
      "URL  the database to use (default: one of the demo's own, DATABASE_URL's name + _demo on the same server)",
    'time-scale': 'MS  real milliseconds per emulated second (default 20)',
    concurrency: 'N  worker concurrency (default 20)',
  },
  notes: ['The sample batches never go into the database DATABASE_URL names, unless --database-url says so.'],
});

/**
 * The demo's own database: the same server as `databaseUrl`, the name with `_demo` appended
 * (mediatag → mediatag_demo), so sample batches never land among a user's real ones.
 */
export function demoDatabaseUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1)) || 'mediatag';
  url.pathname = `/${encodeURIComponent(`${name}_demo`)}`;
  return url.toString();
}

const SQL_HINT = (batches: string[], databaseUrl: string) => `
Query the results with plain SQL (psql "${databaseUrl}"):

  SELECT batch, topic, count(*) FROM tagged_files
   WHERE batch IN (${batches.map((b) => `'${b}'`).join(', ')})
   GROUP BY 1, 2 ORDER BY 1, 3 DESC;
`;

/**
 * `mediatag demo`: the main job end to end with no account: an in-process emulator, the
 * sample library enqueued into two batches (media and support-calls), in-process workers,
 * a progress bar, then the results table and the SQL to query them.
 */
export const demoCommand: Command = {
  prepare(args) {
    const { values, positionals } = parseCommand(SPEC, args);
    noPositionals(positionals, SPEC.usage);
    // Emulated seconds → real ms: 20 makes an hour of audio "process" in about a second.
    const timeScale = intOption(values['time-scale'], 'time-scale', 20);
    const concurrency = intOption(values.concurrency, 'concurrency', 20);
    const given = values['database-url'];
    if (given !== undefined && !/^postgres(ql)?:\/\/[^/]+\/[^/?]+/.test(given))
      throw new UsageError(`--database-url: expected postgres://HOST/NAME, got "${given}"`);
    return (ctx) => run(ctx, timeScale, concurrency, given);
  },
};

async function run(
  ctx: Context,
  timeScale: number,
  concurrency: number,
  givenDatabaseUrl: string | undefined,
): Promise<number> {
  const { startEmulator } = await import('@mediatag/emulator');
  const { sampleIndex } = await import('@mediatag/emulator/samples');
  const { createWorkerDeps, startWorkers } = await import('@mediatag/pipeline');
  const databaseUrl = givenDatabaseUrl ?? demoDatabaseUrl(ctx.env.DATABASE_URL);
  ctx.err(
    `demo database: ${redactUrl(databaseUrl)} (${givenDatabaseUrl ? 'given by --database-url' : "the demo's own; DATABASE_URL's database is not touched"})`,
  );
  const migrated = await migrate(databaseUrl);
  if (migrated.applied.length) ctx.err(`migrated ${redactUrl(databaseUrl)}: ${migrated.applied.join(', ')}`);
  // No gateway limit at the emulator: LLM_RATE_LIMIT below paces the demo's tagging, and the
  // production limit (30 per emulated minute, a real minute at --time-scale 0) would stall it.
  const emulator = await startEmulator({
    timeScale,
    apiKey: 'emulator-key',
    gateway: { requestsPerMinute: null },
  });
  ctx.err(`emulator (a local stand-in for AssemblyAI) on ${emulator.url}`);
  const env: CliEnv = {
    ...ctx.env,
    DATABASE_URL: databaseUrl,
    ASSEMBLYAI_BASE_URL: emulator.url,
    LLM_GATEWAY_URL: emulator.url,
    ASSEMBLYAI_API_KEY: 'emulator-key',
    // Its own queues, so a real worker on the usual prefix never sees the demo's local URLs.
    QUEUE_PREFIX: `${ctx.env.QUEUE_PREFIX}-demo`,
    POLL_MIN_MS: 100,
    POLL_MAX_MS: 2000,
    LLM_RATE_LIMIT: { requests: 600, windowMs: 60_000 },
    WEBHOOK_BASE_URL: undefined,
  };
  const demo = new Context(env, ctx.io, ctx.log);
  const dir = await mkdtemp(join(tmpdir(), 'mediatag-demo-'));
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const batches = { media: `demo-media-${stamp}`, 'support-calls': `demo-calls-${stamp}` } as const;
  let workers: ReturnType<typeof startWorkers> | undefined;
  let deps: Awaited<ReturnType<typeof createWorkerDeps>> | undefined;
  try {
    const samples = sampleIndex(emulator.url);
    for (const [taxonomy, batch] of Object.entries(batches)) {
      const file = join(dir, `${taxonomy}.txt`);
      const urls = samples.filter((s) => s.taxonomy === taxonomy).map((s) => s.url);
      await writeFile(file, `# emulator sample library: ${taxonomy}\n${urls.join('\n')}\n`);
      await enqueueCommand.prepare([file, '--batch', batch, '--taxonomy', taxonomy, '--quiet'])(demo);
    }
    deps = await createWorkerDeps(env, ctx.log);
    workers = startWorkers(deps, { role: 'all', concurrency });
    let failed = 0;
    for (const batch of Object.values(batches)) {
      const progress = await waitForBatch(demo, batch, 250, new ProgressReporter(ctx.io.stderr));
      failed += progress.failed;
    }
    for (const batch of Object.values(batches)) {
      ctx.out(`\n== ${batch}`);
      await resultsCommand.prepare(['--batch', batch, '--format', 'table'])(demo);
    }
    const stats = emulator.stats();
    ctx.out(SQL_HINT(Object.values(batches), redactUrl(databaseUrl)));
    ctx.out(
      `emulator: ${stats.submissions} submissions for ${stats.submissionsByAudioUrl.distinctAudioUrls} files, ${stats.getsByTranscript.meanPerCompletedTranscript.toFixed(2)} status checks per transcript, ${stats.gatewayCalls} LLM calls`,
    );
    return failed > 0 ? 1 : 0;
  } finally {
    await workers?.close(10_000);
    await deps?.close();
    await demo.close();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}
