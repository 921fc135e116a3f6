import { UsageError } from '@mediatag/errors';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * `--since`: a duration back from `now` (`90m`, `24h`, `7d`) or a date / date-time
 * (`2026-11-30`, `2026-11-30T06:00:00Z`; a bare date is midnight UTC). Objects whose
 * LastModified is earlier are skipped.
 */
export function parseSince(text: string, now = new Date()): Date {
  const t = text.trim();
  const m = /^(\d+)\s*([smhdw])$/i.exec(t);
  if (m) return new Date(now.getTime() - Number(m[1]) * (UNITS[(m[2] ?? 's').toLowerCase()] ?? 1) * 1000);
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(t)) {
    const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00Z` : t);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new UsageError(`--since ${text}: expected a duration (30m, 24h, 7d) or a date (2026-11-30)`);
}

/** Fields read from an object key by `--key-pattern`. */
export type KeyMatcher = (key: string, prefix: string) => Record<string, string> | null;

/**
 * `--key-pattern '{date}/{agent}/{call_id}.wav'`: each `{name}` matches one path segment (or
 * part of one) and becomes a metadata field; `*` matches within a segment, `**` across
 * segments; everything else is literal. Matched against the whole key, else the part after
 * the listed prefix.
 */
export function compileKeyPattern(pattern: string): KeyMatcher {
  const names = new Set<string>();
  let source = '';
  for (const token of pattern.match(/\{[^}]*\}|\*\*|\*|[^{*]+/g) ?? []) {
    if (token.startsWith('{')) {
      const name = token.slice(1, -1);
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name))
        throw new UsageError(`--key-pattern: "{${name}}" is not a field name (letters, digits, _)`);
      if (names.has(name)) throw new UsageError(`--key-pattern: {${name}} appears twice`);
      names.add(name);
      source += `(?<${name}>[^/]+?)`;
    } else if (token === '**') source += '.*';
    else if (token === '*') source += '[^/]*';
    else source += token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  if (names.size === 0) throw new UsageError(`--key-pattern ${pattern}: names no {field}`);
  const re = new RegExp(`^${source}$`);
  return (key, prefix) => {
    const m =
      re.exec(key) ?? (prefix !== '' && key.startsWith(prefix) ? re.exec(key.slice(prefix.length)) : null);
    return m?.groups ? { ...m.groups } : null;
  };
}
