import { EmulatorUsageError, parseEmulatorArgs } from '@mediatag/emulator/cli';
import { UsageError } from '@mediatag/errors';
import { type Command, defineSpec, noPositionals, parseCommand } from '../args.ts';
import type { Context } from '../context.ts';
import { untilStopped } from '../signals.ts';

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
    'api-key': 'KEY  the key requests must send (default: $ASSEMBLYAI_API_KEY if set, else emulator-key)',
    concurrency: 'N  account slots: transcripts processed at once (default 200)',
    'time-scale': 'MS  real milliseconds per emulated second (1000 = real time, 0 = instant)',
  },
  notes: [
    'With ASSEMBLYAI_API_KEY exported, the emulator accepts that key, so workers started from the',
    'same shell authenticate without --api-key; --api-key, when given, wins.',
  ],
});

type Overrides = Omit<ReturnType<typeof parseEmulatorArgs>, 'help'>;

async function run(ctx: Context, overrides: Overrides): Promise<number> {
  const envKey = ctx.env.ASSEMBLYAI_API_KEY;
  // The flag wins; otherwise the key the workers in this shell will send.
  const apiKey = overrides.apiKey ?? envKey;
  const { startEmulator } = await import('@mediatag/emulator');
  const emulator = await startEmulator(apiKey === undefined ? overrides : { ...overrides, apiKey });
  const from =
    overrides.apiKey !== undefined
      ? 'the key given by --api-key'
      : envKey !== undefined
        ? 'the key in ASSEMBLYAI_API_KEY'
        : 'the key "emulator-key" (set ASSEMBLYAI_API_KEY or --api-key to choose one)';
  ctx.err(`emulator: requests must send ${from}`);
  if (overrides.apiKey !== undefined && envKey !== undefined && envKey !== overrides.apiKey) {
    ctx.err(
      'emulator: note: --api-key differs from ASSEMBLYAI_API_KEY; workers using the environment will get 401',
    );
  }
  ctx.out(
    `AssemblyAI emulator listening on ${emulator.url} (REST ${emulator.url}/v2, gateway ${emulator.url}/v1, samples ${emulator.url}/samples/index.json)`,
  );
  const reason = await untilStopped({ watchParent: ctx.env.STOP_WITH_PARENT });
  ctx.err(`emulator: ${reason}: closing`);
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
