import { ConfigError } from '@mediatag/config';
import { FatalError, toError, UsageError } from '@mediatag/errors';
import { type Command, HelpRequested } from './args.ts';
import { batchCommand } from './commands/batch.ts';
import { demoCommand } from './commands/demo.ts';
import { emulatorCommand } from './commands/emulator.ts';
import { enqueueCommand } from './commands/enqueue.ts';
import { evalCommand } from './commands/eval.ts';
import { migrateCommand } from './commands/migrate.ts';
import { reconcileCommand } from './commands/reconcile.ts';
import { reportCommand } from './commands/report.ts';
import { resultsCommand } from './commands/results.ts';
import { retagCommand } from './commands/retag.ts';
import { retryCommand } from './commands/retry.ts';
import { serveCommand } from './commands/serve.ts';
import { statusCliCommand } from './commands/status-cli.ts';
import { taxonomyCommand } from './commands/taxonomy.ts';
import { watchCommand } from './commands/watch.ts';
import { workerCommand } from './commands/worker.ts';
import { Context } from './context.ts';
import { type Io, processIo, writeLine } from './io.ts';

const COMMANDS: Record<string, { command: Command; help: string }> = {
  migrate: { command: migrateCommand, help: 'create the database if missing, apply migrations' },
  enqueue: { command: enqueueCommand, help: 'enqueue SOURCE… --batch NAME [--taxonomy NAME]' },
  watch: {
    command: watchCommand,
    help: 'watch --rss URL… [--opml FILE] --batch NAME [--every 1h | --once]: keep feeds in sync',
  },
  taxonomy: { command: taxonomyCommand, help: 'taxonomy add NAME FILE | list | show NAME' },
  worker: {
    command: workerCommand,
    help: 'worker [transcribe|tag|all] [--concurrency N] [--exit-when-done [--batch NAME…]]',
  },
  status: { command: statusCliCommand, help: 'status [--batch NAME] [--wait] [--json] [--timeout S]' },
  batch: { command: batchCommand, help: "batch set-cap NAME USD|none: a batch's spending cap" },
  results: { command: resultsCommand, help: 'results --batch NAME [--format table|csv|json|jsonl]' },
  report: {
    command: reportCommand,
    help: 'report --batch NAME [--batch NAME2] [--out FILE.html]: an HTML page of the batch',
  },
  retry: { command: retryCommand, help: 'retry --batch NAME: re-queue failed files' },
  retag: {
    command: retagCommand,
    help: 'retag --batch NAME --taxonomy NAME: tag again, no new transcription',
  },
  eval: {
    command: evalCommand,
    help: 'eval --labels FILE --taxonomy NAME | --batch NAME --sample N; [--config NAME=KEY=VALUE,…]…',
  },
  reconcile: { command: reconcileCommand, help: 'rebuild missing queue jobs from Postgres' },
  serve: { command: serveCommand, help: 'serve: webhook receiver, /healthz, /metrics, dashboard' },
  emulator: { command: emulatorCommand, help: 'emulator [--port 8089]: local AssemblyAI-compatible server' },
  demo: { command: demoCommand, help: 'the main job end to end on the embedded emulator' },
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
    const run = entry.command.prepare(args);
    ctx = Context.fromEnv(rawEnv, io);
    return await run(ctx);
  } catch (error) {
    if (error instanceof HelpRequested) {
      writeLine(io.stdout, error.text);
      return 0;
    }
    return report(io, error, ctx);
  } finally {
    await ctx?.close();
  }
}

function report(io: Io, error: unknown, ctx: Context | undefined): number {
  if (error instanceof UsageError) {
    writeLine(io.stderr, `mediatag: ${error.message}`);
    return 2;
  }
  if (error instanceof FatalError || error instanceof ConfigError) {
    writeLine(io.stderr, `mediatag: ${error.message}`);
    return 1;
  }
  const e = toError(error);
  ctx?.log.error({ err: e }, 'command failed');
  writeLine(io.stderr, `mediatag: ${e.message.split('\n')[0]}`);
  return 1;
}
