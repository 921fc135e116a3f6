// Feeds carry dates and durations as free text. These parsers accept the formats the specs
// name (RFC 822 for RSS, RFC 3339 for Atom, the three itunes:duration forms) and return
// null for anything else rather than guessing: Date.parse's fallbacks are engine-specific.

/**
 * Parses `itunes:duration` (`SS`, `MM:SS` or `HH:MM:SS`, seconds optionally fractional) into
 * seconds; null when it is none of those.
 */
export function parseDuration(text: string | null): number | null {
  if (text === null) return null;
  const parts = text.trim().split(':');
  if (parts.length > 3) return null;
  let seconds = 0;
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    if (!(last ? /^\d+(\.\d+)?$/ : /^\d+$/).test(part)) return null;
    seconds = seconds * 60 + Number(part);
  }
  return Number.isFinite(seconds) ? seconds : null;
}

// The episode_duration_s column is a Postgres integer.
const MAX_DURATION_S = 2_147_483_647;

/** Whole seconds for the database, or why the value cannot be stored. */
export type DurationCheck = { ok: true; seconds: number | null } | { ok: false; reason: string };

/**
 * `itunes:duration` as whole seconds: fractions are rounded (`1014.708375` → 1015,
 * `1:02:03.5` → 3724). Text in no known form is dropped (null), as podcast apps do; a number
 * too large for the column is refused, so it can never fail the statement for other items.
 */
export function durationSeconds(text: string | null): DurationCheck {
  const seconds = parseDuration(text);
  if (seconds === null) return { ok: true, seconds: null };
  const rounded = Math.round(seconds);
  if (rounded > MAX_DURATION_S) {
    return {
      ok: false,
      reason: `duration "${text?.trim()}" is out of range (over ${MAX_DURATION_S} seconds)`,
    };
  }
  return { ok: true, seconds: rounded };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// RFC 822 zone names, in minutes east of UTC. Military letters and unknown names count as
// UTC, which is what RFC 2822 says to assume when the zone is unknown.
const ZONES: Record<string, number> = {
  edt: -240,
  est: -300,
  cdt: -300,
  cst: -360,
  mdt: -360,
  mst: -420,
  pdt: -420,
  pst: -480,
};

// Day name optional; seconds optional; two- or four-digit year; zone optional.
const RFC822 =
  /^(?:[a-z]+,?\s*)?(\d{1,2})\s+([a-z]{3,9})\.?\s+(\d{2}|\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([+-]\d{4}|[a-z]{1,5}))?$/i;
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[t\s](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(z|[+-]\d{2}:?\d{2})?)?$/i;

/** Parses an RSS `pubDate` (RFC 822) or an Atom `published`/`updated` (RFC 3339); null if neither. */
export function parseFeedDate(text: string | null): Date | null {
  if (text === null) return null;
  const s = text.trim();
  const rfc822 = RFC822.exec(s);
  if (rfc822) {
    const [, day, monthName = '', year = '', hour, minute, second, zone] = rfc822;
    const month = MONTHS.indexOf(monthName.slice(0, 3).toLowerCase());
    let y = Number(year);
    // RFC 2822 section 4.3: two-digit years below 50 are 20xx.
    if (year.length === 2) y += y < 50 ? 2000 : 1900;
    return build(y, month, Number(day), Number(hour), Number(minute), Number(second ?? 0), 0, offset(zone));
  }
  const iso = RFC3339.exec(s);
  if (iso) {
    const [, year, month, day, hour, minute, second, fraction, zone] = iso;
    const ms = fraction ? Math.round(Number(`0.${fraction}`) * 1000) : 0;
    return build(
      Number(year),
      Number(month) - 1,
      Number(day),
      Number(hour ?? 0),
      Number(minute ?? 0),
      Number(second ?? 0),
      ms,
      offset(zone),
    );
  }
  return null;
}

/** Minutes east of UTC for `+hhmm`, `+hh:mm`, `Z` or an RFC 822 zone name. */
function offset(zone: string | undefined): number {
  if (zone === undefined) return 0;
  const numeric = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (numeric) return (numeric[1] === '-' ? -1 : 1) * (Number(numeric[2]) * 60 + Number(numeric[3]));
  return ZONES[zone.toLowerCase()] ?? 0;
}

// Date.UTC silently rolls 31 February into March; a date that does not round-trip is invalid.
function build(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
  off: number,
): Date | null {
  if (mo < 0 || mo > 11 || h > 23 || mi > 59 || s > 60) return null;
  const local = Date.UTC(y, mo, d, h, mi, Math.min(s, 59), ms);
  const check = new Date(local);
  if (check.getUTCDate() !== d || check.getUTCMonth() !== mo) return null;
  return new Date(local - off * 60_000);
}
