import {
  type CapDecision,
  type Claim,
  type CostEstimate,
  chargeWithinCap,
  type Db,
  unclaim,
} from '@mediatag/db';
import type { Logger } from '@mediatag/logger';
import type { RedisClient, RedisKeys } from '@mediatag/queue';
import type { Job } from 'bullmq';
import type { WorkerDeps } from './deps.ts';
import { later } from './errors.ts';

/**
 * How long a file held by a spending cap waits before it is looked at again. Long, because
 * every held file of a batch comes back: raising the cap (`mediatag batch set-cap`) wakes
 * them at once, and this only catches room made by files that cost less than estimated.
 */
export const CAP_RECHECK_MS = 120_000;
// A batch found at its cap is taken as full this long without asking Postgres again, so the
// held files of a large batch cost one Redis read each, not a scan of the batch each.
const FULL_MARK_MS = 15_000;

/**
 * Checks a file against the spending caps of its batches before it is submitted, and
 * charges it to the first batch with room. The capped batches are locked (in id order, so
 * two workers never deadlock) while their spend is read and the file charged, so concurrent
 * submissions cannot each see the same room.
 */
export class CapGate {
  // Files this process found held, with the batches that held them.
  private readonly held = new Map<number, number[]>();

  constructor(
    private readonly db: Db,
    private readonly redis: RedisClient,
    /** The key that marks a batch as found at its cap (`setCap` deletes it). */
    private readonly capFull: RedisKeys['capFull'],
    private readonly estimate: CostEstimate,
  ) {}

  /** True when the file was held here and every batch that held it is still marked full. */
  async stillHeld(fileId: number): Promise<boolean> {
    const batchIds = this.held.get(fileId);
    if (!batchIds) return false;
    const marks = await this.redis.mget(...batchIds.map((id) => this.capFull(id)));
    if (marks.every((m) => m !== null)) return true;
    this.held.delete(fileId);
    return false;
  }

  /** Charges the file to one of its capped batches that has room, or says why none has. */
  async charge(fileId: number, batchIds: number[]): Promise<CapDecision> {
    const decision = await chargeWithinCap(this.db, fileId, batchIds, this.estimate);
    if (decision.ok) {
      this.held.delete(fileId);
      return decision;
    }
    const { spends } = decision;
    const marks = this.redis.multi();
    for (const s of spends) marks.set(this.capFull(s.batchId), JSON.stringify(s), 'PX', FULL_MARK_MS);
    await marks.exec();
    // Bounded: forgetting a held file costs one more check of it, nothing else.
    if (this.held.size >= 100_000) this.held.clear();
    this.held.set(fileId, batchIds);
    return decision;
  }
}

/**
 * Holds a claimed file back when every batch that could pay for it is at its spending cap:
 * the claim and the slot are given back and the job looks again in CAP_RECHECK_MS (a cap
 * change wakes it sooner). Returns nothing when the file may be submitted.
 */
export async function holdIfCapped(
  job: Job,
  deps: WorkerDeps,
  claim: Extract<Claim, { claimed: true }>,
  log: Logger,
): Promise<void> {
  if (claim.uncapped || claim.cappedBatchIds.length === 0) return;
  const decision = await deps.caps.charge(claim.file.id, claim.cappedBatchIds);
  if (decision.ok) return;
  await unclaim(deps.db, claim.file.id, claim.uncertainSince);
  await deps.inFlight.release(claim.file.id);
  log.info(
    {
      batches: decision.spends.map((s) => ({
        id: s.batchId,
        cap: s.capUsd,
        spent: s.spentUsd,
        inFlight: s.inFlightUsd,
      })),
    },
    'spending cap reached: holding the file',
  );
  return later(job, CAP_RECHECK_MS);
}
