import { UsageError } from '@mediatag/errors';
import { type Command, defineSpec, parseCommand } from '../args.ts';
import type { Context } from '../context.ts';
import { untilStopped } from '../signals.ts';

const SPEC = defineSpec({
  usage: 'mediatag serve (configured by PORT, HOST, WEBHOOK_SECRET, DASHBOARD, METRICS_TOKEN…)',
  summary:
    'Serves the AssemblyAI webhook receiver, /healthz, /metrics (Prometheus), the queue dashboard and the batch reports (/batches) until SIGINT/SIGTERM.',
  options: {},
  help: {},
  notes: [
    'Environment: PORT (8080), HOST, WEBHOOK_SECRET, WEBHOOK_AUTH_HEADER, DASHBOARD=1,',
    'DASHBOARD_USER, DASHBOARD_PASSWORD (also guard /batches; without them /batches is served only',
    'on a loopback HOST), METRICS_TOKEN, METRICS_CACHE_S, REQUEST_DEADLINE_MS,',
    'plus DATABASE_URL, REDIS_URL and QUEUE_PREFIX.',
  ],
});

/** `mediatag serve`: webhook receiver, /healthz, /metrics and the queue dashboard until SIGINT/SIGTERM. */
export const serveCommand: Command = {
  prepare(args) {
    if (parseCommand(SPEC, args).positionals.length > 0) throw new UsageError(`usage: ${SPEC.usage}`);
    return run;
  },
};

async function run(ctx: Context): Promise<number> {
  const env = ctx.env;
  // Loaded here, not at the top: `mediatag serve --help` need not load express and bull-board.
  const [{ createPool }, { checkRedis, createQueues, createRedis }, { isLoopback, startServer }] =
    await Promise.all([import('@mediatag/db'), import('@mediatag/queue'), import('@mediatag/server')]);
  const dashboardOpen = env.DASHBOARD && !(env.DASHBOARD_USER && env.DASHBOARD_PASSWORD);
  // Even read-only, the dashboard shows failure reasons, stack traces and the Redis version:
  // without credentials it is only for this machine.
  if (dashboardOpen && !isLoopback(env.HOST)) {
    throw new UsageError(
      `DASHBOARD=1 on HOST=${env.HOST} needs DASHBOARD_USER and DASHBOARD_PASSWORD (or HOST=127.0.0.1)`,
    );
  }
  const db = await ctx.db();
  // /healthz's own two connections: a probe never queues behind metrics or webhook queries,
  // and a statement that cannot answer in 1 s is a failed probe, not a hung one.
  const healthPool = createPool(env.DATABASE_URL, {
    max: 2,
    applicationName: 'mediatag-health',
    connectTimeoutMs: 1000,
    statementTimeoutMs: 1000,
  });
  // A worker-role connection: it reconnects forever, so a Redis restart does not leave a
  // long-running server without Redis (the CLI's producer connection gives up after 3 tries).
  // Nothing here calls AssemblyAI, so unlike the workers no API key is needed.
  const redis = createRedis(env.REDIS_URL, 'worker');
  const queues = createQueues(redis, env.QUEUE_PREFIX);
  try {
    const { evictionWarning } = await checkRedis(redis, env.REDIS_URL);
    if (evictionWarning) ctx.log.warn({}, evictionWarning);
    const server = await startServer({
      db,
      redis,
      queues,
      log: ctx.log.child({ module: 'server' }),
      port: env.PORT,
      host: env.HOST,
      webhook: env.WEBHOOK_SECRET
        ? { headerName: env.WEBHOOK_AUTH_HEADER, secret: env.WEBHOOK_SECRET }
        : undefined,
      dashboard: env.DASHBOARD ? { user: env.DASHBOARD_USER, password: env.DASHBOARD_PASSWORD } : undefined,
      batchPages: { user: env.DASHBOARD_USER, password: env.DASHBOARD_PASSWORD },
      metrics: { token: env.METRICS_TOKEN, cacheMs: env.METRICS_CACHE_S * 1000 },
      healthPool,
      requestDeadlineMs: env.REQUEST_DEADLINE_MS,
    });
    const parts = [
      env.WEBHOOK_SECRET ? 'webhooks on' : 'webhooks off (no WEBHOOK_SECRET)',
      env.METRICS_TOKEN ? 'metrics need a bearer token' : 'metrics open',
      env.DASHBOARD ? 'dashboard at /admin/queues' : 'dashboard off',
      env.DASHBOARD_USER && env.DASHBOARD_PASSWORD
        ? 'batch reports at /batches (dashboard credentials)'
        : isLoopback(env.HOST)
          ? 'batch reports at /batches'
          : 'batch reports off (no DASHBOARD_USER/DASHBOARD_PASSWORD)',
    ];
    const [bound, ...reachable] = server.addresses;
    const where = isLoopback(env.HOST)
      ? server.url
      : `${bound} (reachable at ${reachable.join(', ') || 'no interface address'})`;
    ctx.err(`mediatag serve: listening on ${where} (${parts.join(', ')}); Ctrl-C to stop`);
    const reason = await untilStopped({ watchParent: ctx.env.STOP_WITH_PARENT });
    ctx.err(`mediatag serve: ${reason}: closing…`);
    await server.close();
    ctx.log.info({ reason }, 'server stopped');
  } finally {
    await queues.close();
    redis.disconnect();
    await healthPool.end();
  }
  return 0;
}
