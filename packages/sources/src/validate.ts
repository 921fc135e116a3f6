/** Longest URL accepted; longer lines are not media URLs anyone meant. */
export const MAX_URL_LENGTH = 2048;

/** A usable media URL in canonical form, or the reason it is not one. */
export type UrlCheck = { ok: true; url: string } | { ok: false; reason: string };

/**
 * Accepts only absolute http(s) URLs with a host, in canonical form (`new URL().href`) so
 * the same file written two ways is one row.
 */
export function checkUrl(text: string): UrlCheck {
  const s = text.trim();
  if (s.length > MAX_URL_LENGTH) return { ok: false, reason: `longer than ${MAX_URL_LENGTH} characters` };
  if (/\s/.test(s)) return { ok: false, reason: 'contains whitespace' };
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return { ok: false, reason: 'not an absolute URL (a relative path or plain text?)' };
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return { ok: false, reason: `unsupported scheme "${u.protocol}" (only http and https)` };
  }
  if (!u.hostname) return { ok: false, reason: 'no host' };
  return { ok: true, url: u.href };
}
