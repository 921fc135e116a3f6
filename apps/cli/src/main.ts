import { FatalError, toError, UsageError } from '@mediatag/errors';
import { type Command, HelpRequested } from './args.ts';
import type { Context } from './context.ts';
import { type Io, processIo, writeLine } from './io.ts';

/**
 * Each command is imported only when it runs: `--help` loads none of them, and `status` never
 * loads the emulator, the dashboard or the workers.
 */
const COMMANDS: Record<string, { load: () => Promise<Command>; help: string }> = {
  migrate: {
    load: async () => (await import('./commands/migrate.ts')).migrateCommand,
    help: 'create the database if missing, apply migrations',
  },
  enqueue: {
    load: async () => (await import('./commands/enqueue.ts')).enqueueCommand,
    help: 'enqueue SOURCE… --batch NAME [--taxonomy NAME]',
  },
  watch: {
    load: async () => (await import('./commands/watch.ts')).watchCommand,
    help: 'watch --rss URL… [--opml FILE] --batch NAME [--every 1h | --once]: keep feeds in sync',
  },
  taxonomy: {
    load: async () => (await import('./commands/taxonomy.ts')).taxonomyCommand,
    help: 'taxonomy add NAME FILE | list | show NAME',
  },
  worker: {
    load: async () => (await import('./commands/worker.ts')).workerCommand,
    help: 'worker [transcribe|tag|all] [--concurrency N] [--exit-when-done [--batch NAME…]]',
  },
  status: {
    load: async () => (await import('./commands/status-cli.ts')).statusCliCommand,
    help: 'status [--batch NAME] [--wait] [--json] [--timeout S]',
  },
  batch: {
    load: async () => (await import('./commands/batch.ts')).batchCommand,
    help: "batch set-cap NAME USD|none: a batch's spending cap",
  },
  results: {
    load: async () => (await import('./commands/results.ts')).resultsCommand,
    help: 'results --batch NAME [--format table|csv|json|jsonl]',
  },
  report: {
    load: async () => (await import('./commands/report.ts')).reportCommand,
    help: 'report --batch NAME [--batch NAME2] [--out FILE.html]: an HTML page of the batch',
  },
  retry: {
    load: async () => (await import('./commands/retry.ts')).retryCommand,
    help: 'retry --batch NAME: re-queue failed files',
  },
  retag: {
    load: async () => (await import('./commands/retag.ts')).retagCommand,
    help: 'retag --batch NAME --taxonomy NAME: tag again, no new transcription',
  },
  eval: {
    load: async () => (await import('./commands/eval.ts')).evalCommand,
    help: 'eval --labels FILE --taxonomy NAME | --batch NAME --sample N; [--config NAME=KEY=VALUE,…]…',
  },
  reconcile: {
    load: async () => (await import('./commands/reconcile.ts')).reconcileCommand,
    help: 'rebuild missing queue jobs from Postgres',
  },
  serve: {
    load: async () => (await import('./commands/serve.ts')).serveCommand,
    help: 'serve: webhook receiver, /healthz, /metrics, dashboard',
  },
  emulator: {
    load: async () => (await import('./commands/emulator.ts')).emulatorCommand,
    help: 'emulator [--port 8089]: local AssemblyAI-compatible server',
  },
  demo: {
    load: async () => (await import('./commands/demo.ts')).demoCommand,
    help: 'the main job end to end on the embedded emulator',
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'usage: mediatag COMMAND [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.help}`),
    '',
    'mediatag COMMAND --help shows what a command does and its options.',
  ].join('\n');
}

/**
 * The CLI entry point: returns the exit code (0 ok, 1 runtime failure, 2 bad usage or input).
 * Arguments are parsed first (help, unknown options, bad values: no I/O at all); only then
 * is the environment parsed, once, and handed down in a context that connects on first use.
 */
export async function main(
  argv: string[],
  rawEnv: Record<string, string | undefined>,
  io: Io = processIo(),
): Promise<number> {
  let [name, ...args] = argv;
  // `mediatag help enqueue` is `mediatag enqueue --help`.
  if (name === 'help' && args[0] !== undefined) [name, args] = [args[0], ['--help', ...args.slice(1)]];
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    writeLine(name ? io.stdout : io.stderr, usage());
    return name ? 0 : 2;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    writeLine(io.stderr, `mediatag: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  let ctx: Context | undefined;
  try {
    const run = (await entry.load()).prepare(args);
    // The environment schema (zod) and the clients load only once a command is going to run.
    const { Context } = await import('./context.ts');
    ctx = Context.fromEnv(rawEnv, io);
    return await run(ctx);
  } catch (error) {
    if (error instanceof HelpRequested) {
      writeLine(io.stdout, error.text);
      return 0;
    }
    return await report(io, error, ctx);
  } finally {
    await ctx?.close();
  }
}

async function report(io: Io, error: unknown, ctx: Context | undefined): Promise<number> {
  if (error instanceof UsageError) {
    writeLine(io.stderr, `mediatag: ${error.message}`);
    return 2;
  }
  // Loaded already by then whenever a ConfigError can have been thrown.
  const { ConfigError } = await import('@mediatag/config');
  if (error instanceof FatalError || error instanceof ConfigError) {
    writeLine(io.stderr, `mediatag: ${error.message}`);
    return 1;
  }
  // A failed statement is reported by its own message, not drizzle's wrapper (the whole statement).
  const { queryErrorCause } = await import('@mediatag/db');
  const e = toError(queryErrorCause(error));
  ctx?.log.error({ err: e }, 'command failed');
  writeLine(io.stderr, `mediatag: ${e.message.split('\n')[0]}`);
  return 1;
}
