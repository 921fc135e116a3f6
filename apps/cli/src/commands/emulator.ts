import { EmulatorUsageError, runEmulatorCli } from '@mediatag/emulator/cli';
import { UsageError } from '@mediatag/errors';
import type { Context } from '../context.ts';

/** `mediatag emulator [--port 8089]`: the local AssemblyAI-compatible server, until Ctrl-C. */
export async function emulatorCommand(_ctx: Context, args: string[]): Promise<number> {
  try {
    await runEmulatorCli(args);
    return 0;
  } catch (error) {
    if (error instanceof EmulatorUsageError) throw new UsageError(error.message);
    throw error;
  }
}
