import { type Command, defineSpec, noPositionals, parseCommand } from '../args.ts';
import type { Context } from '../context.ts';

const SPEC = defineSpec({
  usage: 'mediatag reconcile',
  summary: 'Rebuilds missing queue jobs and the in-flight budget in Redis from Postgres.',
  options: {},
  help: {},
});

async function run(ctx: Context): Promise<number> {
  const { createWorkerDeps, reconcile } = await import('@mediatag/pipeline');
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

/** `mediatag reconcile`: rebuild missing queue jobs and the in-flight budget from Postgres. */
export const reconcileCommand: Command = {
  prepare(args) {
    noPositionals(parseCommand(SPEC, args).positionals, SPEC.usage);
    return run;
  },
};
