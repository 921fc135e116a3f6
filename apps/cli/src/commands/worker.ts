import { UsageError } from '@mediatag/errors';
import { createWorkerDeps, startWorkers, type WorkerRole } from '@mediatag/worker';
import { intOption, parse } from '../args.ts';
import type { Context } from '../context.ts';
import { untilSignal } from '../signals.ts';

const USAGE = 'mediatag worker [transcribe|tag|all] [--concurrency N]';
const ROLES: WorkerRole[] = ['all', 'transcribe', 'tag'];

/** `mediatag worker`: run workers until SIGINT/SIGTERM, then finish or hand back in-flight jobs. */
export async function workerCommand(ctx: Context, args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { concurrency: { type: 'string' } }, USAGE);
  const role = (positionals[0] ?? 'all') as WorkerRole;
  if (!ROLES.includes(role) || positionals.length > 1) throw new UsageError(`usage: ${USAGE}`);
  const concurrency = intOption(values.concurrency, 'concurrency', 20);
  const env = ctx.env;
  const deps = await createWorkerDeps(env, ctx.log);
  const handle = startWorkers(deps, { role, concurrency });
  ctx.log.info(
    { role, concurrency, prefix: env.QUEUE_PREFIX, maxInFlight: deps.settings.maxInFlight },
    'workers started',
  );
  ctx.err(`mediatag worker ${role}: running (concurrency ${concurrency}); Ctrl-C to stop`);
  const signal = await untilSignal();
  ctx.err(`mediatag worker: ${signal}: finishing running jobs (up to 30 s)…`);
  await handle.close(30_000);
  await deps.close();
  ctx.log.info({ signal }, 'workers stopped');
  return 0;
}
