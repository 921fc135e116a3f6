import { UsageError } from '@mediatag/errors';
import type { WorkerRole } from '@mediatag/worker';
import { type Command, defineSpec, intOption, parseCommand } from '../args.ts';
import type { Context } from '../context.ts';
import { untilStopped } from '../signals.ts';

const SPEC = defineSpec({
  usage: 'mediatag worker [transcribe|tag|all] [--concurrency N]',
  summary:
    'Runs workers (transcription, tagging or both) until SIGINT/SIGTERM, then finishes running jobs or hands them back after 30 s.',
  options: { concurrency: { type: 'string' } },
  help: { concurrency: 'N  jobs at once per queue (default 20)' },
  notes: ['Configured by the environment (DATABASE_URL, REDIS_URL, ASSEMBLYAI_API_KEY, MAX_IN_FLIGHT…).'],
});
const ROLES: WorkerRole[] = ['all', 'transcribe', 'tag'];

async function run(ctx: Context, role: WorkerRole, concurrency: number): Promise<number> {
  const env = ctx.env;
  // Loaded here, not at the top: `mediatag worker --help` need not load BullMQ.
  const { createWorkerDeps, startWorkers } = await import('@mediatag/worker');
  const deps = await createWorkerDeps(env, ctx.log);
  const handle = startWorkers(deps, { role, concurrency });
  ctx.log.info(
    { role, concurrency, prefix: env.QUEUE_PREFIX, maxInFlight: deps.settings.maxInFlight },
    'workers started',
  );
  ctx.err(`mediatag worker ${role}: running (concurrency ${concurrency}); Ctrl-C to stop`);
  const reason = await untilStopped({ watchParent: ctx.env.STOP_WITH_PARENT });
  ctx.err(`mediatag worker: ${reason}: finishing running jobs (up to 30 s)…`);
  await handle.close(30_000);
  await deps.close();
  ctx.log.info({ reason }, 'workers stopped');
  return 0;
}

/** `mediatag worker`: run workers until SIGINT/SIGTERM, then finish or hand back in-flight jobs. */
export const workerCommand: Command = {
  prepare(args) {
    const { values, positionals } = parseCommand(SPEC, args);
    const role = (positionals[0] ?? 'all') as WorkerRole;
    if (!ROLES.includes(role) || positionals.length > 1) throw new UsageError(`usage: ${SPEC.usage}`);
    const concurrency = intOption(values.concurrency, 'concurrency', 20);
    return (ctx) => run(ctx, role, concurrency);
  },
};
