import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Send a JSON body with an exact content-length (keeps keep-alive connections cheap). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The REST v2 error shape: `{"error": "..."}`. */
export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  headers?: OutgoingHttpHeaders,
): void {
  sendJson(res, status, { error: message }, headers);
}

/** Result of reading a bounded request body. */
export type BodyResult = { kind: 'ok'; text: string } | { kind: 'too-large' } | { kind: 'aborted' };

/**
 * Read a request body up to `limit` bytes. Past the limit the rest is drained and discarded, not
 * buffered, so the 413 can still be delivered to a client that is busy sending.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(
        tooLarge ? { kind: 'too-large' } : { kind: 'ok', text: Buffer.concat(chunks).toString('utf8') },
      ),
    );
    req.on('aborted', () => resolve({ kind: 'aborted' }));
    req.on('error', () => resolve({ kind: 'aborted' }));
  });
}

/** Parse JSON that must be an object; anything else is reported as invalid. */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** Split a request target into path and query without building a URL object per request. */
export function splitTarget(target: string | undefined): { path: string; query: URLSearchParams | null } {
  const raw = target ?? '/';
  const q = raw.indexOf('?');
  return q === -1
    ? { path: raw, query: null }
    : { path: raw.slice(0, q), query: new URLSearchParams(raw.slice(q + 1)) };
}
