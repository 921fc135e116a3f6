import { ConfigError } from '@mediatag/config';
import { FatalError, toError, UsageError } from '@mediatag/errors';
import { demoCommand } from './commands/demo.ts';
import { emulatorCommand } from './commands/emulator.ts';
import { enqueueCommand } from './commands/enqueue.ts';
import { evalCommand } from './commands/eval.ts';
import { migrateCommand } from './commands/migrate.ts';
import { reconcileCommand } from './commands/reconcile.ts';
import { resultsCommand } from './commands/results.ts';
import { retagCommand } from './commands/retag.ts';
import { retryCommand } from './commands/retry.ts';
import { serveCommand } from './commands/serve.ts';
import { statusCommand } from './commands/status.ts';
import { taxonomyCommand } from './commands/taxonomy.ts';
import { workerCommand } from './commands/worker.ts';
import { Context } from './context.ts';
import { type Io, processIo, writeLine } from './io.ts';

type Command = (ctx: Context, args: string[]) => Promise<number>;

const COMMANDS: Record<string, { run: Command; help: string }> = {
  migrate: { run: migrateCommand, help: 'create the database if missing, apply migrations' },
  enqueue: { run: enqueueCommand, help: 'enqueue SOURCE… --batch NAME [--taxonomy NAME]' },
  taxonomy: { run: taxonomyCommand, help: 'taxonomy add NAME FILE | list | show NAME' },
  worker: { run: workerCommand, help: 'worker [transcribe|tag|all] [--concurrency N]' },
  status: { run: statusCommand, help: 'status [--batch NAME] [--wait] [--json]' },
  results: { run: resultsCommand, help: 'results --batch NAME [--format table|csv|json|jsonl]' },
  retry: { run: retryCommand, help: 'retry --batch NAME: re-queue failed files' },
  retag: { run: retagCommand, help: 'retag --batch NAME --taxonomy NAME: tag again, no new transcription' },
  eval: {
    run: evalCommand,
    help: 'eval --labels FILE --taxonomy NAME | --batch NAME --sample N; [--config NAME=KEY=VALUE,…]…',
  },
  reconcile: { run: (ctx) => reconcileCommand(ctx), help: 'rebuild missing queue jobs from Postgres' },
  serve: { run: serveCommand, help: 'serve: webhook receiver, /healthz, /metrics, dashboard' },
  emulator: { run: emulatorCommand, help: 'emulator [--port 8089]: local AssemblyAI-compatible server' },
  demo: { run: demoCommand, help: 'the main job end to end on the embedded emulator' },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'usage: mediatag COMMAND [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.help}`),
  ].join('\n');
}

/**
 * The CLI entry point: returns the exit code (0 ok, 1 runtime failure, 2 bad usage or input).
 * The environment is passed in, parsed once here, and handed down.
 */
export async function main(
  argv: string[],
  rawEnv: Record<string, string | undefined>,
  io: Io = processIo(),
): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    writeLine(name ? io.stdout : io.stderr, usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    writeLine(io.stderr, `mediatag: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  let ctx: Context | undefined;
  try {
    ctx = Context.fromEnv(rawEnv, io);
    return await command.run(ctx, args);
  } catch (error) {
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
