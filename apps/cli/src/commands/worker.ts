import { UsageError } from '@mediatag/errors';
import type { WorkerRole } from '@mediatag/pipeline';
import { type Command, defineSpec, intOption, parseCommand } from '../args.ts';
import { batchName } from '../batch.ts';
import type { Context } from '../context.ts';
import { DrainCheck, type DrainState } from '../drain.ts';
import { untilStopped } from '../signals.ts';

const SPEC = defineSpec({
  usage: 'mediatag worker [transcribe|tag|all] [--concurrency N] [--exit-when-done [--batch NAME…]]',
  summary:
    'Runs workers (transcription, tagging or both) until SIGINT/SIGTERM, or with --exit-when-done until the batches are drained; then finishes running jobs or hands them back after 30 s.',
  options: {
    concurrency: { type: 'string' },
    'exit-when-done': { type: 'boolean' },
    batch: { type: 'string', multiple: true },
  },
  help: {
    concurrency: 'N  jobs at once per queue (default 20)',
    'exit-when-done':
      'stop once every file of the batches (default: of every batch) is final (for cron, Jobs, CI)',
    batch: 'NAME  with --exit-when-done: the batch to drain; repeatable',
  },
  notes: [
    'Configured by the environment (DATABASE_URL, REDIS_URL, ASSEMBLYAI_API_KEY, MAX_IN_FLIGHT…).',
    'Exit codes with --exit-when-done: 0 every file final; 1 every file final and some failed;',
    '3 the API key was rejected; 4 a spending cap holds every file left and nothing is in flight.',
  ],
});
const ROLES: WorkerRole[] = ['all', 'transcribe', 'tag'];
/** How often --exit-when-done asks Postgres whether anything is left. */
const DRAIN_CHECK_MS = 3000;

/** Resolves with the first check that says done; rejects on a failed check. */
async function drained(check: DrainCheck, stop: AbortSignal): Promise<DrainState & { done: true }> {
  for (;;) {
    const state = await check.check();
    if (state.done) return state;
    await new Promise((resolve) => setTimeout(resolve, DRAIN_CHECK_MS));
    if (stop.aborted) return new Promise(() => undefined);
  }
}

async function run(
  ctx: Context,
  role: WorkerRole,
  concurrency: number,
  drain: { batches: string[] } | undefined,
): Promise<number> {
  const env = ctx.env;
  // Loaded here, not at the top: `mediatag worker --help` need not load BullMQ.
  const { createWorkerDeps, startWorkers } = await import('@mediatag/pipeline');
  const startedAt = Date.now();
  const check =
    drain && (await DrainCheck.open(await ctx.db(), await ctx.redis(), env, drain.batches, startedAt));
  const deps = await createWorkerDeps(env, ctx.log);
  const handle = startWorkers(deps, { role, concurrency });
  ctx.log.info(
    { role, concurrency, prefix: env.QUEUE_PREFIX, maxInFlight: deps.settings.maxInFlight },
    'workers started',
  );
  ctx.err(
    `mediatag worker ${role}: running (concurrency ${concurrency}); ${check ? 'exits when done or on ' : ''}Ctrl-C to stop`,
  );
  const stop = new AbortController();
  let code = 0;
  try {
    const end = await Promise.race([
      untilStopped({ watchParent: ctx.env.STOP_WITH_PARENT, stop: stop.signal }),
      ...(check ? [drained(check, stop.signal)] : []),
    ]);
    if (typeof end === 'string') {
      ctx.err(`mediatag worker: ${end}: finishing running jobs (up to 30 s)…`);
    } else {
      code = end.code;
      ctx.err(`mediatag worker: ${end.message}: finishing running jobs (up to 30 s)…`);
    }
    ctx.log.info({ reason: typeof end === 'string' ? end : end.message, code }, 'stopping workers');
  } finally {
    stop.abort();
    await handle.close(30_000);
    await deps.close();
  }
  ctx.log.info({ code }, 'workers stopped');
  return code;
}

/** `mediatag worker`: run workers until a signal (or until drained), then finish or hand back in-flight jobs. */
export const workerCommand: Command = {
  prepare(args) {
    const { values, positionals } = parseCommand(SPEC, args);
    const role = (positionals[0] ?? 'all') as WorkerRole;
    if (!ROLES.includes(role) || positionals.length > 1) throw new UsageError(`usage: ${SPEC.usage}`);
    const concurrency = intOption(values.concurrency, 'concurrency', 20);
    const names = (values.batch ?? []).map((b) => batchName(b, SPEC.usage));
    if (names.length > 0 && !values['exit-when-done'])
      throw new UsageError('--batch goes with --exit-when-done');
    const drain = values['exit-when-done'] ? { batches: names } : undefined;
    return (ctx) => run(ctx, role, concurrency, drain);
  },
};
