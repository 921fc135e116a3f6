import { randomUUID } from 'node:crypto';
import { toError } from '@mediatag/errors';
import { type Job, Worker, type WorkerOptions } from 'bullmq';
import type { WorkerDeps } from './deps.ts';
import { HEARTBEAT_MS } from './health.ts';
import { processPoll } from './poll.ts';
import { type ReconcileReport, reconcile, redisStillKnowsUs } from './reconcile.ts';
import { PollSchedule, SlotReserve } from './schedule.ts';
import { CompletionSweep } from './sweep.ts';
import { processTag } from './tag.ts';
import { processTranscribe } from './transcribe.ts';

/** Which queues a process serves: `transcribe` covers submitting and checking. */
export type WorkerRole = 'all' | 'transcribe' | 'tag';

export interface StartOptions {
  role: WorkerRole;
  /** Jobs at once per queue in this process (checks get twice as many: they are short). */
  concurrency: number;
  /** Run reconcile at start, on a timer and when Redis lost its data (default true). */
  reconcile?: boolean;
  /** How often to check that Redis still holds our marker (default 10 s). */
  redisCheckMs?: number;
}

/** Running workers. */
export interface WorkerHandle {
  workers: Worker[];
  reconcileNow(full: boolean): Promise<ReconcileReport | undefined>;
  /** Stops taking jobs, lets running ones finish (or hands them back after `timeoutMs`). */
  close(timeoutMs?: number): Promise<void>;
}

// Enables Worker.RateLimitError (BullMQ needs a limiter); the real budgets live in Redis.
const LIMITER = { max: 1_000_000, duration: 1000 };

/** Starts the workers of a role on the given dependencies. */
export function startWorkers(deps: WorkerDeps, options: StartOptions): WorkerHandle {
  const log = deps.log.child({ module: 'workers' });
  const schedule = new PollSchedule(deps.settings.poll);
  const reserve = new SlotReserve(deps.settings.maxInFlight, deps.settings.inFlightReserve, schedule);
  const base: WorkerOptions = {
    connection: deps.redis,
    prefix: deps.queues.prefix,
    autorun: true,
    lockDuration: deps.settings.lockMs,
    stalledInterval: deps.settings.lockMs,
  };
  const workers: Worker[] = [];
  const add = (name: string, fn: (job: Job) => Promise<string>, extra: Partial<WorkerOptions>) => {
    const worker = new Worker(name, fn, { ...base, ...extra });
    worker.on('failed', (job, err) => {
      if (job)
        log.warn({ queue: name, jobId: job.id, attempts: job.attemptsMade, err: err.message }, 'job failed');
    });
    worker.on('error', (err) => log.error({ queue: name, err: toError(err).message }, 'worker error'));
    workers.push(worker);
  };
  if (options.role !== 'tag') {
    add('transcribe', (job) => processTranscribe(job, deps, schedule, reserve), {
      concurrency: options.concurrency,
      limiter: LIMITER,
    });
    add('poll', (job) => processPoll(job, deps, schedule, reserve), {
      concurrency: options.concurrency * 2,
      // Each check restarts the job; a runaway loop is stopped here (a 10 h file needs ~600).
      maxStartedAttempts: 5000,
    });
  }
  // Without webhooks, the processes that check transcripts also sweep for finished ones.
  const sweep =
    options.role !== 'tag' && deps.settings.sweep
      ? new CompletionSweep(deps, deps.settings.sweep)
      : undefined;
  sweep?.start();
  if (options.role !== 'transcribe') {
    add('tag', (job) => processTag(job, deps), { concurrency: options.concurrency, limiter: LIMITER });
  }

  const lockKey = deps.keys.reconcileLock;
  const me = randomUUID();
  let running: Promise<ReconcileReport | undefined> | undefined;
  const reconcileNow = (full: boolean) => {
    running ??= (async () => {
      // One reconcile at a time across all processes.
      const got = await deps.redis.set(lockKey, me, 'PX', 120_000, 'NX');
      if (got !== 'OK') return undefined;
      try {
        const report = await reconcile(deps, { full });
        const repaired = report.pollJobs + report.transcribeJobs + report.tagJobs + report.inFlight.added;
        if (repaired > 0 || full) log.info({ ...report }, 'reconciled queues with Postgres');
        return report;
      } finally {
        if ((await deps.redis.get(lockKey)) === me) await deps.redis.del(lockKey);
      }
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const guard = (full: boolean) => {
    reconcileNow(full).catch((err: unknown) => log.error({ err: toError(err).message }, 'reconcile failed'));
  };
  const timers: NodeJS.Timeout[] = [];
  // `mediatag status` tells "no worker" from "a worker that waits" by this heartbeat.
  const startedAt = Date.now();
  const beat = () => deps.health.quietly(deps.health.beat(options.role, startedAt, reserve.throttledNow()));
  void beat();
  timers.push(setInterval(() => void beat(), HEARTBEAT_MS));
  if (options.reconcile !== false) {
    guard(false);
    timers.push(setInterval(() => guard(false), deps.settings.reconcileIntervalMs));
    timers.push(
      setInterval(() => {
        redisStillKnowsUs(deps)
          .then((known) => {
            if (!known) {
              log.warn({}, 'Redis lost its data (marker missing): rebuilding queues from Postgres');
              guard(true);
            }
          })
          .catch((err: unknown) => log.warn({ err: toError(err).message }, 'Redis check failed'));
      }, options.redisCheckMs ?? 10_000),
    );
  }

  return {
    workers,
    reconcileNow,
    async close(timeoutMs = 30_000) {
      for (const t of timers) clearInterval(t);
      await sweep?.stop();
      // worker.close() waits for running jobs with no bound of its own: bound it, then force.
      const graceful = Promise.all(workers.map((w) => w.close()));
      const timedOut = await Promise.race([
        graceful.then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), timeoutMs).unref()),
      ]);
      if (timedOut) {
        log.warn({ timeoutMs }, 'jobs still running at shutdown; handing them back to the queue');
        await Promise.all(workers.map((w) => w.close(true)));
      }
      await running?.catch(() => undefined);
      await deps.health.quietly(deps.health.gone());
    },
  };
}
