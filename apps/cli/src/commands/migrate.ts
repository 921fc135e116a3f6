import { migrate, redactUrl } from '@mediatag/db';
import { type Command, defineSpec, noPositionals, parseCommand } from '../args.ts';
import type { Context } from '../context.ts';

const SPEC = defineSpec({
  usage: 'mediatag migrate',
  summary:
    'Creates the database of DATABASE_URL if missing and applies pending migrations (one transaction, under an advisory lock).',
  options: {},
  help: {},
});

async function run(ctx: Context): Promise<number> {
  const result = await migrate(ctx.env.DATABASE_URL);
  const where = redactUrl(ctx.env.DATABASE_URL);
  if (result.createdDatabase) ctx.out(`created database ${where}`);
  if (result.applied.length === 0) {
    ctx.out(`database is up to date (${result.alreadyApplied} migrations applied)`);
  } else {
    for (const name of result.applied) ctx.out(`applied ${name}`);
  }
  return 0;
}

/** `mediatag migrate`: create the database if missing and apply pending migrations. */
export const migrateCommand: Command = {
  prepare(args) {
    noPositionals(parseCommand(SPEC, args).positionals, SPEC.usage);
    return run;
  },
};
