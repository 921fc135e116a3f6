import type { Db } from '@mediatag/db';
import type { Logger } from '@mediatag/logger';
import { createScraper, METRICS_CONTENT_TYPE } from '@mediatag/metrics';
import { WEBHOOK_PATH } from '@mediatag/pipeline';
import type { Queues, RedisClient } from '@mediatag/queue';
import express, { type Express } from 'express';
import { bearerAuth } from './auth.ts';
import { type BatchPagesAccess, batchPagesRouter } from './batches.ts';
import { DASHBOARD_PATH, dashboardRouter } from './dashboard.ts';
import { errorHandler, notFound } from './errors.ts';
import { healthHandler } from './health.ts';
import { withTimeout } from './timeout.ts';
import { webhookRoutes } from './webhook.ts';

/** Everything the HTTP app works with; `startServer` adds where to listen. */
export interface AppOptions {
  db: Db;
  redis: RedisClient;
  /** The deployment's queues; the workers' other keys (in-flight set, metrics hash) follow from their prefix. */
  queues: Queues;
  log: Logger;
  /** Without it the webhook route does not exist (404). */
  webhook?: { headerName: string; secret: string } | undefined;
  /** Without it the dashboard does not exist (404). */
  dashboard?: { user?: string | undefined; password?: string | undefined } | undefined;
  /** `/batches` and `/batches/NAME` (batch reports); without it they do not exist (404). */
  batchPages?: BatchPagesAccess | undefined;
  /** How long an unknown transcript id is looked up again before the 404 (default 2000 ms). */
  unknownIdGraceMs?: number | undefined;
  /** Delay of the follow-up look at a poll job that was running when its webhook came (default 1000 ms). */
  recheckMs?: number | undefined;
  /** /metrics: with a token, `Authorization: Bearer <token>` is required; collected at most once per `cacheMs` (default 15 s). */
  metrics?: { token?: string | undefined; cacheMs?: number | undefined } | undefined;
  /**
   * A small pool used only by /healthz, so a probe never waits behind a metrics collection
   * or the webhook's queries for a connection. Without it /healthz uses `db`'s pool.
   */
  healthPool?: Db['$client'] | undefined;
  /** Whole-request deadline (default 10 s); handlers answer within it. */
  requestDeadlineMs?: number | undefined;
}

/** Default METRICS_CACHE_S, in ms. */
const METRICS_CACHE_MS = 15_000;

/** Builds the express app; `close()` cancels its pending follow-up timers. */
export function createApp(options: AppOptions): { app: Express; close(): void } {
  const { db, redis, queues } = options;
  const log = options.log;
  const deadlineMs = options.requestDeadlineMs ?? 10_000;
  // Handlers answer a second before the socket is cut, so the client gets a status, not a reset.
  const budgetMs = Math.max(500, deadlineMs - 1000);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', healthHandler({ pool: options.healthPool ?? db.$client, redis, log }));
  const scraper = createScraper({ db, redis, queues }, options.metrics?.cacheMs ?? METRICS_CACHE_MS);
  const metricsAuth = options.metrics?.token ? [bearerAuth(options.metrics.token)] : [];
  app.get('/metrics', ...metricsAuth, async (_req, res) => {
    // Concurrent scrapes share one collection; a scrape that gives up leaves it running for the next.
    const text = await withTimeout(scraper.scrape(), budgetMs, 'metrics scrape');
    res.set('content-type', METRICS_CONTENT_TYPE).send(text);
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
        budgetMs: Math.min(8000, budgetMs),
      })
    : undefined;
  if (hooks) app.use(hooks.router);
  if (options.dashboard) app.use(DASHBOARD_PATH, dashboardRouter(queues, options.dashboard, log));
  const reports = options.batchPages && batchPagesRouter(db, options.batchPages, log, budgetMs);
  if (reports) app.use(reports);

  app.use(notFound);
  app.use(errorHandler(log));
  return { app, close: () => hooks?.close() };
}
