import type { Db } from '@mediatag/db';
import type { Logger } from '@mediatag/logger';
import {
  listBatches,
  loadReport,
  type Page,
  renderBatchList,
  renderReport,
  UnknownBatchError,
} from '@mediatag/report';
import express, { type Response, type Router } from 'express';
import { basicAuth } from './auth.ts';
import { isLoopback } from './loopback.ts';
import { withTimeout } from './timeout.ts';

/** Where the batch list and reports are served. */
export const BATCHES_PATH = '/batches';

/** Who may see the batch pages: the dashboard's credentials, and the host the server listens on. */
export interface BatchPagesAccess {
  user?: string | undefined;
  password?: string | undefined;
  /** Without credentials the pages exist only when this is a loopback address. */
  host?: string | undefined;
}

function send(res: Response, { html, csp }: Page): void {
  res
    .set({
      'content-type': 'text/html; charset=utf-8',
      // The page carries the same policy in a meta tag (for the file on disk); only a header can forbid framing.
      'content-security-policy': `${csp}; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    })
    .send(html);
}

/**
 * `/batches` (every batch with live progress) and `/batches/NAME` (its report;
 * `?compare=OTHER` puts a second batch beside it). The pages show URLs, error texts and costs,
 * so like the queue dashboard they need DASHBOARD_USER / DASHBOARD_PASSWORD, and without them
 * exist only on a loopback host: undefined means "not served" (the app's 404).
 */
export function batchPagesRouter(
  db: Db,
  access: BatchPagesAccess,
  log: Logger,
  budgetMs: number,
): Router | undefined {
  const { user, password, host } = access;
  const router = express.Router();
  if (user && password) router.use(BATCHES_PATH, basicAuth(user, password));
  else if (!host || !isLoopback(host)) {
    log.warn({ host }, 'batch reports off: set DASHBOARD_USER and DASHBOARD_PASSWORD (or HOST=127.0.0.1)');
    return undefined;
  }
  router.get(BATCHES_PATH, async (_req, res) => {
    const list = await withTimeout(listBatches(db), budgetMs, 'batch list');
    send(res, renderBatchList(list));
  });
  router.get(`${BATCHES_PATH}/:name`, async (req, res) => {
    const names = [req.params.name];
    const compare = req.query.compare;
    if (typeof compare === 'string' && compare !== '' && compare !== req.params.name) names.push(compare);
    try {
      const data = await withTimeout(loadReport(db, names), budgetMs, 'batch report');
      send(res, renderReport(data, { backLink: '../batches' }));
    } catch (error) {
      if (!(error instanceof UnknownBatchError)) throw error;
      // Plain text with nosniff: the name the client sent is never read as HTML.
      res.status(404).set({ 'x-content-type-options': 'nosniff' }).type('text/plain').send(error.message);
    }
  });
  return router;
}
