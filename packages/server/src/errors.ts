import { toError } from '@mediatag/errors';
import type { Logger } from '@mediatag/logger';
import type { ErrorRequestHandler, RequestHandler } from 'express';

/** Any route not defined: a JSON 404 (AssemblyAI and scrapers read JSON, not HTML). */
export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: `not found: ${req.method} ${req.path}` });
};

/**
 * Client errors raised by middleware (a body over the limit, malformed JSON) keep their
 * status and message; anything else is a 500 with no detail, logged here with its stack.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const { status, expose } = error as { status?: unknown; expose?: unknown };
    if (typeof status === 'number' && status >= 400 && status < 500 && expose === true) {
      res.status(status).json({ error: toError(error).message });
      return;
    }
    log.error({ err: toError(error), method: req.method, path: req.path }, 'request failed');
    res.status(500).json({ error: 'internal error' });
  };
}
