import { batches, type Db } from '@mediatag/db';
import { UsageError } from '@mediatag/errors';
import { eq } from 'drizzle-orm';

/** The batch named on the command line, or a usage error naming it. */
export async function requireBatch(db: Db, name: string | undefined, usage: string) {
  if (!name) throw new UsageError(`--batch NAME is required\nusage: ${usage}`);
  const [batch] = await db.select().from(batches).where(eq(batches.name, name));
  if (!batch) throw new UsageError(`no batch named "${name}" (see: mediatag status)`);
  return batch;
}
