import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '@mediatag/errors';
import type { Context } from './context.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** What a command's `--help` shows, and the options it accepts (node:util parseArgs form). */
export interface CommandSpec<O extends Options> {
  /** `mediatag enqueue [SOURCE…] --batch NAME`: the synopsis. */
  usage: string;
  /** One line: what the command does. */
  summary: string;
  options: O;
  /** Per option: `VALUE  what it does` (a value placeholder first for string options). */
  help: { [K in keyof O]: string };
  /** Extra lines under the options (environment variables, exit codes). */
  notes?: string[];
}

/** A command whose arguments are parsed and checked, ready to run against a context. */
export type Run = (ctx: Context) => Promise<number>;

/** One `mediatag` command: `prepare` parses and validates its arguments without any I/O. */
export interface Command {
  prepare(args: string[]): Run;
}

/** Thrown by `parseCommand` for `--help`/`-h`: main prints the text on stdout and exits 0. */
export class HelpRequested extends Error {
  override readonly name = 'HelpRequested';
  constructor(readonly text: string) {
    super('help requested');
  }
}

/** Typed identity: lets a spec literal keep `type: 'string'` for parseArgs' typed values. */
export function defineSpec<O extends Options>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

/** The `--help` text of a command. */
export function helpText<O extends Options>(spec: CommandSpec<O>): string {
  const rows: [string, string][] = Object.entries(spec.options).map(([name, option]) => {
    const text = spec.help[name] ?? '';
    const flag = option.short ? `-${option.short}, --${name}` : `    --${name}`;
    if (option.type === 'boolean') return [flag, text];
    const [value = 'VALUE', ...rest] = text.split('  ');
    return [`${flag} ${value}`, rest.join('  ').trim()];
  });
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return [
    `usage: ${spec.usage}`,
    '',
    spec.summary,
    '',
    'options:',
    ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`.trimEnd()),
    ...(spec.notes?.length ? ['', ...spec.notes] : []),
  ].join('\n');
}

/**
 * Parses a command's arguments (node:util parseArgs, strict): unknown options are a usage
 * error naming the option (exit 2), `--help`/`-h` throws HelpRequested. Nothing else runs
 * first, so a typo or a request for help never reaches Postgres, Redis or the network.
 */
export function parseCommand<O extends Options>(spec: CommandSpec<O>, args: string[]) {
  const options: O = { ...spec.options, help: { type: 'boolean', short: 'h' } };
  const parsed = parse(args, options, spec.usage);
  if ((parsed.values as { help?: boolean }).help) throw new HelpRequested(helpText(spec));
  return parsed;
}

/** node:util parseArgs with its errors turned into usage errors (exit 2). */
export function parse<O extends Options>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const e = error as Error & { code?: string };
    // Node appends advice about `--` to "Unknown option '--x'"; the first sentence names the option.
    const message = e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? (e.message.split('. ')[0] ?? '') : e.message;
    throw new UsageError(`${message}\nusage: ${usage}`);
  }
}

/** No positional arguments allowed: a usage error naming the first one. */
export function noPositionals(positionals: string[], usage: string): void {
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0]}"\nusage: ${usage}`);
}

/** A positive integer option, or a usage error naming the option. */
export function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${name} must be a positive integer`);
  return Number(value);
}
