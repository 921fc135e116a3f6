// The `batches` table: a batch's name, current taxonomy, transcription options and spending cap.
import { eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { batches, taxonomies } from './schema.ts';

/** A batch row as stored. */
export type Batch = typeof batches.$inferSelect;

/** The batch of that name, or undefined. */
export async function findBatch(db: Db, name: string): Promise<Batch | undefined> {
  const [batch] = await db.select().from(batches).where(eq(batches.name, name));
  return batch;
}

/** A batch with the name and version of its taxonomy, as `enqueue` compares it with what was asked. */
export interface BatchWithTaxonomy {
  id: number;
  taxonomyId: number;
  taxonomy: string;
  version: number;
  options: Record<string, unknown> | null;
}

/** The batch of that name with its taxonomy's name and version, or undefined. */
export async function findBatchWithTaxonomy(db: Db, name: string): Promise<BatchWithTaxonomy | undefined> {
  const [batch] = await db
    .select({
      id: batches.id,
      taxonomyId: batches.taxonomyId,
      taxonomy: taxonomies.name,
      version: taxonomies.version,
      options: batches.transcriptionOptions,
    })
    .from(batches)
    .innerJoin(taxonomies, eq(taxonomies.id, batches.taxonomyId))
    .where(eq(batches.name, name));
  return batch;
}

/**
 * Makes a batch. A batch of that name made meanwhile by another process is returned instead
 * (with its own taxonomy), so two enqueues of a new batch never fail on each other.
 */
export async function createBatch(
  db: Db,
  b: { name: string; taxonomyId: number; transcriptionOptions: Record<string, unknown> | null },
): Promise<{ id: number; taxonomyId: number }> {
  const [row] = await db
    .insert(batches)
    .values(b)
    .onConflictDoUpdate({ target: batches.name, set: { updatedAt: sql`now()` } })
    .returning({ id: batches.id, taxonomyId: batches.taxonomyId });
  if (!row) throw new Error('batch insert returned no row');
  return row;
}

/** Deletes a batch (its batch_files go with it). */
export async function deleteBatch(db: Db, id: number): Promise<void> {
  await db.delete(batches).where(eq(batches.id, id));
}

/** The names among `names` that no batch has. */
export async function missingBatches(db: Db, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const rows = await db.select({ name: batches.name }).from(batches).where(inArray(batches.name, names));
  const known = new Set(rows.map((r) => r.name));
  return names.filter((n) => !known.has(n));
}

/** Points a batch at another taxonomy (version); its results under the old one stay. */
export async function setBatchTaxonomy(db: Db, batchId: number, taxonomyId: number): Promise<void> {
  await db.update(batches).set({ taxonomyId, updatedAt: sql`now()` }).where(eq(batches.id, batchId));
}

/** Sets a batch's spending cap in USD (null: no cap). */
export async function setBatchCap(db: Db, batchId: number, capUsd: number | null): Promise<void> {
  await db
    .update(batches)
    .set({ maxCostUsd: capUsd === null ? null : String(capUsd), updatedAt: sql`now()` })
    .where(eq(batches.id, batchId));
}

/** Every batch that has a spending cap. */
export async function cappedBatches(db: Db): Promise<{ id: number; name: string }[]> {
  return db.select({ id: batches.id, name: batches.name }).from(batches).where(isNotNull(batches.maxCostUsd));
}

/** Ids of the batch's files not yet submitted (transcript `pending`), in id order. */
export async function unsubmittedFiles(db: Db, batchId: number): Promise<number[]> {
  const { rows } = await db.execute<{ id: string }>(sql`
    SELECT m.id FROM batch_files bf JOIN media_files m ON m.id = bf.media_file_id
     WHERE bf.batch_id = ${batchId} AND m.transcript_status = 'pending' ORDER BY m.id`);
  return rows.map((r) => Number(r.id));
}
