import { type Db, mediaFiles } from '@mediatag/db';
import { toError } from '@mediatag/errors';
import type { Logger } from '@mediatag/logger';
import { type Queues, wakePoll } from '@mediatag/queue';
import { eq } from 'drizzle-orm';
import express, { type RequestHandler, type Router } from 'express';
import { requireHeader } from './auth.ts';
import { TimeoutError, withTimeout } from './timeout.ts';

/** AssemblyAI's payload is two short fields; anything larger is not from it. */
const BODY_LIMIT = '16kb';
const FINAL = new Set(['completed', 'error']);
const STATUSES = new Set(['completed', 'error']);

export interface WebhookOptions {
  db: Db;
  queues: Queues;
  log: Logger;
  headerName: string;
  secret: string;
  /**
   * An unknown id is looked up again for this long before the 404. A fast transcript can
   * finish before the worker has saved its id (the worker saves it right after the submit
   * answer), and a 404 would stop AssemblyAI's retries.
   */
  unknownIdGraceMs: number;
  /** A poll job that was running when the webhook came is checked again after this long. */
  recheckMs: number;
  /** AssemblyAI waits 10 s for an answer; past this budget (at most 8 s) we answer 503 so it retries. */
  budgetMs: number;
}

function parseBody(body: unknown): { transcriptId: string; status: string } | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
  const { transcript_id: transcriptId, status } = body as Record<string, unknown>;
  if (typeof transcriptId !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(transcriptId))
    return 'transcript_id must be a transcript id';
  if (typeof status !== 'string' || !STATUSES.has(status)) return 'status must be completed or error';
  return { transcriptId, status };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function findFile(db: Db, transcriptId: string, graceMs: number) {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const [row] = await db
      .select({ id: mediaFiles.id, status: mediaFiles.transcriptStatus })
      .from(mediaFiles)
      .where(eq(mediaFiles.transcriptId, transcriptId))
      .limit(1);
    if (row || Date.now() >= deadline) return row;
    await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
  }
}

/**
 * POST /webhooks/assemblyai. AssemblyAI sends `{transcript_id, status}` when a transcript is
 * final, at least once. The receiver never reads the transcript itself: it makes the file's
 * poll job run now, and that job's single GET records the result as in polling mode.
 */
export function webhookRoutes(path: string, options: WebhookOptions): { router: Router; close(): void } {
  const { db, queues } = options;
  const log = options.log.child({ module: 'webhook' });
  const timers = new Set<NodeJS.Timeout>();

  // The job was running when the webhook came; if its GET started before the transcript
  // finished, it has now delayed itself by up to POLL_MAX_MS. A few looks catch that case.
  const recheck = (fileId: number, left: number) => {
    const timer = setTimeout(async () => {
      timers.delete(timer);
      try {
        const [row] = await db
          .select({ status: mediaFiles.transcriptStatus })
          .from(mediaFiles)
          .where(eq(mediaFiles.id, fileId));
        if (!row || FINAL.has(row.status)) return;
        const outcome = await wakePoll(queues, fileId);
        log.debug({ fileId, outcome }, 'webhook recheck');
        if (outcome === 'running' && left > 1) recheck(fileId, left - 1);
      } catch (error) {
        log.warn(
          { fileId, err: toError(error).message },
          'webhook recheck failed; the fallback poll remains',
        );
      }
    }, options.recheckMs);
    timer.unref();
    timers.add(timer);
  };

  const handle: RequestHandler = async (req, res) => {
    const parsed = parseBody(req.body);
    if (typeof parsed === 'string') {
      res.status(400).json({ error: parsed });
      return;
    }
    const { transcriptId, status } = parsed;
    log.debug({ transcriptId, status }, 'webhook received');
    try {
      const result = await withTimeout(
        (async () => {
          const file = await findFile(db, transcriptId, options.unknownIdGraceMs);
          if (!file) return { code: 404, body: { error: 'unknown transcript_id' } };
          // Deliveries repeat (at least once): a file already final needs nothing.
          if (FINAL.has(file.status)) return { code: 200, body: { ok: true, already: file.status } };
          const outcome = await wakePoll(queues, file.id);
          if (outcome === 'running') recheck(file.id, 3);
          log.debug({ transcriptId, fileId: file.id, outcome }, 'poll job woken');
          return { code: 200, body: { ok: true, poll: outcome } };
        })(),
        options.budgetMs,
        'webhook',
      );
      res.status(result.code).json(result.body);
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      log.warn({ transcriptId }, 'webhook handling too slow; answering 503 so AssemblyAI retries');
      res.status(503).json({ error: 'temporarily unavailable' });
    }
  };

  const router = express.Router();
  // Authentication before parsing: an unauthenticated request never gets its body read.
  router.post(
    path,
    requireHeader(options.headerName, options.secret),
    express.json({ limit: BODY_LIMIT, type: () => true }),
    handle,
  );
  return {
    router,
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
