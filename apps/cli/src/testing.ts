import { PassThrough, Readable } from 'node:stream';
import type { Io } from './io.ts';
import { main } from './main.ts';

/** Output of one in-process CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `mediatag …` in-process with the given environment and stdin, capturing output. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  stdin: string | Buffer = '',
): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const io: Io = { stdin: Readable.from([stdin]), stdout, stderr };
  const code = await main(argv, { LOG_LEVEL: 'silent', ...env }, io);
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}
