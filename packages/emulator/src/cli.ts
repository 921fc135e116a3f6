import { pathToFileURL } from 'node:url';
import { startEmulator } from './index.ts';
import type { EmulatorOverrides } from './options.ts';

const USAGE = `Usage: mediatag emulator [--port 8089] [--host 127.0.0.1] [--api-key KEY] [--concurrency N] [--time-scale MS]

Runs the local AssemblyAI-compatible server (REST v2 + LLM Gateway + /samples) until SIGINT/SIGTERM.
  --time-scale  real milliseconds per emulated second (1000 = real time, 0 = instant)`;

/** Thrown for bad command-line usage; the message is meant for the user. */
export class EmulatorUsageError extends Error {
  override name = 'EmulatorUsageError';
}

/** Parse the emulator's flags into options (port defaults to 8089 here, not 0). */
export function parseEmulatorArgs(argv: readonly string[]): EmulatorOverrides & { help: boolean } {
  const parsed: EmulatorOverrides & { help: boolean } = { port: 8089, help: false };
  const number = (flag: string, value: string | undefined, integer: boolean): number => {
    const n = Number(value);
    if (
      value === undefined ||
      value === '' ||
      !Number.isFinite(n) ||
      n < 0 ||
      (integer && !Number.isInteger(n))
    ) {
      throw new EmulatorUsageError(
        `${flag} needs a ${integer ? 'non-negative integer' : 'non-negative number'}`,
      );
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--port':
        parsed.port = number('--port', value(), true);
        break;
      case '--host':
        parsed.host = value() ?? '';
        if (parsed.host === '') throw new EmulatorUsageError('--host needs a value');
        break;
      case '--api-key':
        parsed.apiKey = value() ?? '';
        if (parsed.apiKey === '') throw new EmulatorUsageError('--api-key needs a value');
        break;
      case '--concurrency':
        parsed.concurrency = number('--concurrency', value(), true);
        break;
      case '--time-scale':
        parsed.timeScale = number('--time-scale', value(), false);
        break;
      case '-h':
      case '--help':
        parsed.help = true;
        break;
      default:
        throw new EmulatorUsageError(`unknown argument ${arg}\n${USAGE}`);
    }
  }
  return parsed;
}

/** Run the emulator in the foreground: print its URL, stop cleanly on SIGINT/SIGTERM. */
export async function runEmulatorCli(argv: string[]): Promise<void> {
  const { help, ...options } = parseEmulatorArgs(argv);
  if (help) {
    console.log(USAGE);
    return;
  }
  const emulator = await startEmulator(options);
  console.log(
    `AssemblyAI emulator listening on ${emulator.url} (REST ${emulator.url}/v2, gateway ${emulator.url}/v1, samples ${emulator.url}/samples/index.json)`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await emulator.close();
}

// Direct run: `npx tsx packages/emulator/src/cli.ts --port 8089`.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runEmulatorCli(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = error instanceof EmulatorUsageError ? 2 : 1;
  });
}
