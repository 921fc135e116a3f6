import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';

/**
 * Constant-time string comparison. Both sides are hashed first so the buffers always have
 * equal length (timingSafeEqual's precondition) and the time taken says nothing about how
 * long the secret is or how much of it matched.
 */
export function safeEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * A 401 that also ends the connection: the request's body is never read, and a client that
 * failed authentication gets no keep-alive socket to try again on (or to trickle into).
 */
function refuse(res: Response): void {
  res.set('Connection', 'close');
  res.status(401).json({ error: 'unauthorized' });
}

/** Requires `header` to carry `secret`; anything else gets 401 before the body is read. */
export function requireHeader(header: string, secret: string): RequestHandler {
  return (req, res, next) => {
    const value = req.get(header);
    if (value === undefined || !safeEqual(value, secret)) {
      refuse(res);
      return;
    }
    next();
  };
}

/** Requires `Authorization: Bearer <token>`, compared in constant time. */
export function bearerAuth(token: string): RequestHandler {
  return (req, res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    // Compared even when absent, so a missing header takes the same time as a wrong one.
    if (safeEqual(match?.[1] ?? '', token) && match) {
      next();
      return;
    }
    res.set('WWW-Authenticate', 'Bearer realm="mediatag"');
    refuse(res);
  };
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** HTTP basic auth with constant-time checks of both user and password. */
export function basicAuth(user: string, password: string, realm = 'mediatag'): RequestHandler {
  return (req, res, next) => {
    const given = parseBasic(req.get('authorization'));
    // Both comparisons always run: no early exit that would time the user name.
    const userOk = safeEqual(given?.user ?? '', user);
    const passwordOk = safeEqual(given?.password ?? '', password);
    if (given && userOk && passwordOk) {
      next();
      return;
    }
    res.set('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
    refuse(res);
  };
}
