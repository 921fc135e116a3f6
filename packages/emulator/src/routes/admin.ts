import type { ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.ts';
import { parseJsonObject, sendError, sendJson } from '../core/http-io.ts';
import type { EmulatorOverrides, Faults } from '../options.ts';
import { sampleById, sampleIndex, samplePayload } from '../samples/index.ts';

/** Control surface the admin routes drive (the same calls the Emulator object exposes). */
export interface AdminControls {
  resetStats(): void;
  receivedSubmissions(): Record<string, unknown>[];
  setFaults(faults: Partial<Faults>): void;
  configure(options: EmulatorOverrides): void;
}

/**
 * GET /_emulator/stats, GET /_emulator/submissions (the last 1,000 POST /v2/transcript bodies), POST /_emulator/reset, POST /_emulator/faults, POST /_emulator/options
 * (any options but port and host, e.g. `{"gateway":{"requestsPerMinute":null}}`): no auth, never faulted.
 */
export function handleAdmin(
  ctx: EmulatorContext,
  controls: AdminControls,
  method: string,
  path: string,
  bodyText: string,
  res: ServerResponse,
): void {
  if (method === 'GET' && path === '/_emulator/stats') {
    sendJson(res, 200, ctx.stats.snapshot());
  } else if (method === 'GET' && path === '/_emulator/submissions') {
    sendJson(res, 200, controls.receivedSubmissions());
  } else if (method === 'POST' && path === '/_emulator/reset') {
    controls.resetStats();
    sendJson(res, 200, ctx.stats.snapshot());
  } else if (method === 'POST' && path === '/_emulator/faults') {
    const body = parseJsonObject(bodyText === '' ? '{}' : bodyText);
    if (!body) {
      sendError(res, 400, 'Invalid JSON body: expected an object of fault rates');
      return;
    }
    try {
      controls.setFaults(body as Partial<Faults>);
    } catch (error) {
      sendError(res, 400, error instanceof Error ? error.message : String(error));
      return;
    }
    sendJson(res, 200, ctx.options().faults);
  } else if (method === 'POST' && path === '/_emulator/options') {
    const body = parseJsonObject(bodyText === '' ? '{}' : bodyText);
    if (!body) {
      sendError(res, 400, 'Invalid JSON body: expected an object of emulator options');
      return;
    }
    try {
      controls.configure(body as EmulatorOverrides);
    } catch (error) {
      sendError(res, 400, error instanceof Error ? error.message : String(error));
      return;
    }
    sendJson(res, 200, ctx.options());
  } else {
    sendError(res, 404, 'Not found');
  }
}

/** GET /samples/index.json and /samples/<id>.mp3|.wav (deterministic bytes, not real audio). */
export function handleSamples(ctx: EmulatorContext, method: string, path: string, res: ServerResponse): void {
  if (method !== 'GET' && method !== 'HEAD') {
    sendError(res, 404, 'Not found');
    return;
  }
  if (path === '/samples/index.json') {
    sendJson(res, 200, sampleIndex(ctx.baseUrl()));
    return;
  }
  const match = /^\/samples\/([A-Za-z0-9_-]+)\.(mp3|wav)$/.exec(path);
  const sample = match?.[1] === undefined ? undefined : sampleById(match[1]);
  if (!match || !sample) {
    sendError(res, 404, 'Not found');
    return;
  }
  const ext = match[2] === 'wav' ? 'wav' : 'mp3';
  const bytes = samplePayload(sample, ext);
  res.writeHead(200, {
    'content-type': ext === 'wav' ? 'audio/wav' : 'audio/mpeg',
    'content-length': bytes.length,
    'x-emulator-note': 'placeholder bytes, not real audio',
  });
  res.end(method === 'HEAD' ? undefined : bytes);
}
