import { startEmulator } from '@mediatag/emulator';
import { EmulatorUsageError, parseEmulatorArgs } from '@mediatag/emulator/cli';
import { UsageError } from '@mediatag/errors';
import { type Command, defineSpec, noPositionals, parseCommand } from '../args.ts';
import type { Context } from '../context.ts';
import { untilSignal } from '../signals.ts';

const SPEC = defineSpec({
  usage:
    'mediatag emulator [--port 8089] [--host 127.0.0.1] [--api-key KEY] [--concurrency N] [--time-scale MS]',
  summary: 'Runs a local AssemblyAI-compatible server (REST v2, LLM Gateway, /samples) until SIGINT/SIGTERM.',
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'api-key': { type: 'string' },
    concurrency: { type: 'string' },
    'time-scale': { type: 'string' },
  },
  help: {
    port: 'PORT  port to listen on (default 8089; 0 picks a free one)',
    host: 'HOST  address to listen on (default 127.0.0.1)',
    'api-key': 'KEY  the key requests must send (default: emulator-key)',
    concurrency: 'N  account slots: transcripts processed at once (default 200)',
    'time-scale': 'MS  real milliseconds per emulated second (1000 = real time, 0 = instant)',
  },
});

type Overrides = Omit<ReturnType<typeof parseEmulatorArgs>, 'help'>;

async function run(ctx: Context, overrides: Overrides): Promise<number> {
  const emulator = await startEmulator(overrides);
  ctx.out(
    `AssemblyAI emulator listening on ${emulator.url} (REST ${emulator.url}/v2, gateway ${emulator.url}/v1, samples ${emulator.url}/samples/index.json)`,
  );
  await untilSignal();
  await emulator.close();
  return 0;
}

/** `mediatag emulator`: the local AssemblyAI-compatible server, until Ctrl-C. */
export const emulatorCommand: Command = {
  prepare(args) {
    noPositionals(parseCommand(SPEC, args).positionals, SPEC.usage);
    // The emulator's own parser checks the values (numbers, non-empty key).
    let parsed: ReturnType<typeof parseEmulatorArgs>;
    try {
      parsed = parseEmulatorArgs(args);
    } catch (error) {
      if (error instanceof EmulatorUsageError)
        throw new UsageError(`${error.message.split('\n')[0]}\nusage: ${SPEC.usage}`);
      throw error;
    }
    const { help: _help, ...overrides } = parsed;
    return (ctx) => run(ctx, overrides);
  },
};
