import type { Db } from '@mediatag/db';
import type { Logger } from '@mediatag/logger';
import { collectMetrics, exportQueueMetrics, METRICS_CONTENT_TYPE } from '@mediatag/metrics';
import type { Queues } from '@mediatag/queue';
import { WEBHOOK_PATH } from '@mediatag/worker';
import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import { DASHBOARD_PATH, dashboardRouter } from './dashboard.ts';
import { errorHandler, notFound } from './errors.ts';
import { healthHandler } from './health.ts';
import { withTimeout } from './timeout.ts';
import { webhookRoutes } from './webhook.ts';

/** Everything the HTTP app works with; `startServer` adds where to listen. */
export interface AppOptions {
  db: Db;
  redis: Redis;
  queues: Queues;
  /** `${QUEUE_PREFIX}:mediatag`, the workers' key prefix (in-flight set, metrics hash). */
  keyPrefix: string;
  log: Logger;
  /** Without it the webhook route does not exist (404). */
  webhook?: { headerName: string; secret: string } | undefined;
  /** Without it the dashboard does not exist (404). */
  dashboard?: { user?: string | undefined; password?: string | undefined } | undefined;
  /** How long an unknown transcript id is looked up again before the 404 (default 2000 ms). */
  unknownIdGraceMs?: number | undefined;
  /** Delay of the follow-up look at a poll job that was running when its webhook came (default 1000 ms). */
  recheckMs?: number | undefined;
}

/** A scrape must not hang Prometheus when Postgres or Redis is stuck. */
const SCRAPE_BUDGET_MS = 10_000;

/** Builds the express app; `close()` cancels its pending follow-up timers. */
export function createApp(options: AppOptions): { app: Express; close(): void } {
  const { db, redis, queues, keyPrefix } = options;
  const log = options.log;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', healthHandler({ db, redis, log }));
  app.get('/metrics', async (_req, res) => {
    const [ours, bullmq] = await withTimeout(
      Promise.all([collectMetrics({ db, redis, queues, keyPrefix }), exportQueueMetrics(queues)]),
      SCRAPE_BUDGET_MS,
      'metrics scrape',
    );
    res.set('content-type', METRICS_CONTENT_TYPE).send(`${ours}\n${bullmq}`);
  });

  const hooks = options.webhook
    ? webhookRoutes(WEBHOOK_PATH, {
        db,
        queues,
        log,
        headerName: options.webhook.headerName,
        secret: options.webhook.secret,
        unknownIdGraceMs: options.unknownIdGraceMs ?? 2000,
        recheckMs: options.recheckMs ?? 1000,
      })
    : undefined;
  if (hooks) app.use(hooks.router);
  if (options.dashboard) app.use(DASHBOARD_PATH, dashboardRouter(queues, options.dashboard, log));

  app.use(notFound);
  app.use(errorHandler(log));
  return { app, close: () => hooks?.close() };
}
