import { migrate, redactUrl } from '@mediatag/db';
import type { Context } from '../context.ts';

/** `mediatag migrate`: create the database if missing and apply pending migrations. */
export async function migrateCommand(ctx: Context): Promise<number> {
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
