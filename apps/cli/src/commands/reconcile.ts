import { createWorkerDeps, reconcile } from '@mediatag/worker';
import type { Context } from '../context.ts';

/** `mediatag reconcile`: rebuild missing queue jobs and the in-flight budget from Postgres. */
export async function reconcileCommand(ctx: Context): Promise<number> {
  const deps = await createWorkerDeps(ctx.env, ctx.log, { requireKey: false });
  try {
    const r = await reconcile(deps, { full: true });
    ctx.out(
      `reconciled: ${r.transcribeJobs} transcribe, ${r.pollJobs} poll and ${r.tagJobs} tag jobs re-added; in-flight budget +${r.inFlight.added} -${r.inFlight.removed}`,
    );
    return 0;
  } finally {
    await deps.close();
  }
}
