import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Logger } from '@mediatag/logger';
import { QUEUE_NAMES, type Queues } from '@mediatag/queue';
import express, { type Router } from 'express';
import { basicAuth } from './auth.ts';

/** Where the queue dashboard is mounted. */
export const DASHBOARD_PATH = '/admin/queues';

/**
 * bull-board over the three queues. With credentials: basic auth, full control (retry,
 * remove, clean). Without: read-only, because the server listens on all interfaces by
 * default and an open dashboard that can delete jobs would be one request from data loss.
 */
export function dashboardRouter(
  queues: Queues,
  credentials: { user?: string | undefined; password?: string | undefined },
  log: Logger,
): Router {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(DASHBOARD_PATH);
  const { user, password } = credentials;
  const secured = Boolean(user && password);
  createBullBoard({
    queues: QUEUE_NAMES.map((name) => new BullMQAdapter(queues[name], { readOnlyMode: !secured })),
    serverAdapter: adapter,
  });
  const router = express.Router();
  if (user && password) router.use(basicAuth(user, password));
  else log.warn({}, 'queue dashboard has no password (set DASHBOARD_USER and DASHBOARD_PASSWORD): read-only');
  router.use(adapter.getRouter() as Router);
  return router;
}
