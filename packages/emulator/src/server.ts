import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorContext } from './context.ts';
import { readBody, sendError, splitTarget } from './core/http-io.ts';
import { type AdminControls, handleAdmin, handleSamples } from './routes/admin.ts';
import { chatCompletions, type ModelFault, sendGatewayError } from './routes/gateway.ts';
import { createTranscript, deleteTranscript, getTranscript, listTranscripts } from './routes/transcripts.ts';
import { handleUpload } from './routes/upload.ts';

const AUTH_ERROR = 'Authentication error, API token missing/invalid';
const TRANSCRIPT_PATH = /^\/v2\/transcript\/([^/]+)$/;

/** The node:http request listener for one emulator: one port serves REST v2, the gateway and the extras. */
export function requestListener(ctx: EmulatorContext, controls: AdminControls) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(ctx, controls, req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendError(res, 500, `Emulator failure: ${error instanceof Error ? error.message : String(error)}`);
    });
  };
}

async function handle(
  ctx: EmulatorContext,
  controls: AdminControls,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const { path, query } = splitTarget(req.url);
  const method = req.method ?? 'GET';
  const options = ctx.options();

  if (path.startsWith('/_emulator/')) {
    const body =
      method === 'POST' ? await readBody(req, options.maxJsonBytes) : { kind: 'ok' as const, text: '' };
    if (body.kind === 'aborted') return;
    if (body.kind === 'too-large') sendError(res, 413, 'Request body too large');
    else handleAdmin(ctx, controls, method, path, body.text, res);
    return;
  }
  if (path.startsWith('/samples/')) {
    handleSamples(ctx, method, path, res);
    return;
  }
  const gateway = path.startsWith('/v1/');
  if (!gateway && !path.startsWith('/v2/') && path !== '/v2') {
    sendError(res, 404, 'Not found');
    return;
  }
  const fail = gateway
    ? (status: number, message: string, headers?: Record<string, string>) =>
        sendGatewayError(res, status, message, headers)
    : (status: number, message: string, headers?: Record<string, string>) =>
        sendError(res, status, message, headers);

  ctx.stats.count.requestsTotal++;
  if (req.headers.authorization !== options.apiKey) {
    fail(401, AUTH_ERROR);
    return;
  }
  if (!gateway) {
    const decision = ctx.v2Limiter.take(performance.now());
    if (!decision.allowed) {
      ctx.stats.count.rateLimited429s++;
      fail(429, 'Too Many Requests', { 'retry-after': String(decision.retryAfterSeconds) });
      return;
    }
  }

  // Faults come after auth and the budget: a real outage still counts against the client's budget.
  const { faults } = options;
  const completions = gateway && method === 'POST' && path === '/v1/chat/completions';
  let modelFault: ModelFault | null = null;
  if (faults.dropRate + faults.http500Rate + faults.http503Rate > 0) {
    const roll = ctx.random();
    if (roll < faults.dropRate) {
      ctx.stats.faults.drop++;
      req.socket.destroy();
      return;
    }
    const fault =
      roll < faults.dropRate + faults.http500Rate
        ? 'http500'
        : roll < faults.dropRate + faults.http500Rate + faults.http503Rate
          ? 'http503'
          : null;
    // A gateway completion fails at the model, after the gateway read the request: its
    // `fallbacks` may answer instead, so the route decides (and counts the fault).
    if (fault && completions) modelFault = fault;
    else if (fault) {
      ctx.stats.faults[fault]++;
      if (fault === 'http500') fail(500, 'Internal Server Error');
      else fail(503, 'Service Unavailable');
      return;
    }
  }
  if (faults.slowRate > 0 && ctx.random() < faults.slowRate) {
    ctx.stats.faults.slow++;
    await new Promise((resolve) => setTimeout(resolve, faults.slowMs));
  }

  if (method === 'POST' && path === '/v2/upload') {
    handleUpload(ctx, req, res);
    return;
  }
  const jsonRoute = completions || (method === 'POST' && path === '/v2/transcript');
  if (jsonRoute) {
    const body = await readBody(req, options.maxJsonBytes);
    if (body.kind === 'aborted') return;
    if (body.kind === 'too-large') fail(413, `Request body too large (limit ${options.maxJsonBytes} bytes)`);
    else if (gateway) chatCompletions(ctx, body.text, res, modelFault);
    else createTranscript(ctx, body.text, res);
    return;
  }
  if (method === 'GET' && path === '/v2/transcript') {
    listTranscripts(ctx, query, res);
    return;
  }
  const id = TRANSCRIPT_PATH.exec(path)?.[1];
  if (id !== undefined && method === 'GET') getTranscript(ctx, decodeURIComponent(id), res);
  else if (id !== undefined && method === 'DELETE') deleteTranscript(ctx, decodeURIComponent(id), res);
  else fail(404, 'Not found');
}
