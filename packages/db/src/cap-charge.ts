// The spending cap at submission: a file is charged to the first of its capped batches with
// room, under a lock on those batches (invariant 12 in docs/ARCHITECTURE.md).
import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { type BatchSpend, batchSpend, type CostEstimate, capReached } from './spend.ts';
import { param, prepared } from './statement.ts';

const LOCK_BATCHES = prepared(
  'cap_charge/lock_batches',
  sql`SELECT id FROM batches WHERE id = ANY(${param('batchIds')}::int[]) ORDER BY id FOR UPDATE`,
);
const CHARGE = prepared(
  'cap_charge/charge',
  sql`UPDATE media_files SET charged_batch_id = ${param('batchId')} WHERE id = ${param('fileId')}`,
);

/** What a cap check decided: the batch charged, or every batch's spend when none had room. */
export type CapDecision = { ok: true; batchId: number } | { ok: false; spends: BatchSpend[] };

/**
 * Charges the file to the first batch of `batchIds` whose cap leaves room for it. The batches
 * are locked in id order (so two workers never deadlock) while their spend is read and the
 * file charged, in one transaction, so concurrent submissions cannot each see the same room.
 */
export async function chargeWithinCap(
  db: Db,
  fileId: number,
  batchIds: number[],
  estimate: CostEstimate,
): Promise<CapDecision> {
  const client = await db.$client.connect();
  const spends: BatchSpend[] = [];
  let failed = false;
  try {
    await client.query('BEGIN');
    await LOCK_BATCHES.run(client, { batchIds });
    for (const batchId of batchIds) {
      const spend = await batchSpend(client, batchId, estimate, fileId);
      if (spend.capUsd === null || !capReached(spend)) {
        await CHARGE.run(client, { fileId, batchId });
        await client.query('COMMIT');
        return { ok: true, batchId };
      }
      spends.push(spend);
    }
    await client.query('COMMIT');
    return { ok: false, spends };
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // A failed transaction's connection is closed, not reused: that ends the transaction too.
    client.release(failed);
  }
}
