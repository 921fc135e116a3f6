import { type Batch, type Db, findBatch } from '@mediatag/db';
import { UsageError } from '@mediatag/errors';

// Longer names are not names anyone types; the column itself is unbounded text.
const MAX_BATCH_NAME = 200;

/**
 * A batch name as typed on the command line, trimmed (Unicode spaces too). An empty name or
 * one with control characters (a pasted tab or newline, an escape sequence) is a usage
 * error naming the value: it would make a batch nobody can address or print safely.
 */
export function batchName(value: string | undefined, usage: string): string {
  if (value === undefined) throw new UsageError(`--batch NAME is required\nusage: ${usage}`);
  const name = value.trim();
  if (name === '') throw new UsageError(`--batch ${JSON.stringify(value)}: the name is empty`);
  if (/\p{Cc}/u.test(name))
    throw new UsageError(`--batch ${JSON.stringify(value)}: a batch name cannot contain control characters`);
  if (name.length > MAX_BATCH_NAME)
    throw new UsageError(`--batch NAME is longer than ${MAX_BATCH_NAME} characters`);
  return name;
}

/** The batch of that (already validated) name, or a usage error naming it. */
export async function requireBatch(db: Db, name: string): Promise<Batch> {
  const batch = await findBatch(db, name);
  if (!batch) throw new UsageError(`no batch named "${name}" (see: mediatag status)`);
  return batch;
}
