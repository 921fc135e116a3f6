/** The exported columns, in order (the first eleven are DESIGN.md's contract). */
export const RESULT_COLUMNS = [
  'batch',
  'url',
  'transcript_id',
  'taxonomy',
  'topic',
  'transcript_status',
  'tag_status',
  'error',
  'audio_duration_s',
  'created_at',
  'updated_at',
  'taxonomy_version',
  'raw_answer',
  'language_code',
  'model',
  'input_tokens',
  'output_tokens',
  'metadata',
] as const;

export type ResultRow = Record<(typeof RESULT_COLUMNS)[number], unknown>;

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * One CSV cell (RFC 4180 quoting). Cells a spreadsheet would run as a formula (= + - @,
 * tab, CR) get a leading apostrophe: URLs, answers and metadata are untrusted text.
 */
export function csvCell(value: unknown): string {
  let s = text(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV line for a row. */
export function csvLine(row: ResultRow): string {
  return RESULT_COLUMNS.map((c) => csvCell(row[c])).join(',');
}

/** A JSON object for a row, timestamps as ISO strings. */
export function jsonRow(row: ResultRow): string {
  const out: Record<string, unknown> = {};
  for (const c of RESULT_COLUMNS)
    out[c] = row[c] instanceof Date ? (row[c] as Date).toISOString() : (row[c] ?? null);
  return JSON.stringify(out);
}

const TABLE_COLUMNS = [
  'url',
  'topic',
  'transcript_status',
  'tag_status',
  'audio_duration_s',
  'error',
] as const;
const MAX_WIDTH: Record<string, number> = { url: 60, error: 50 };

/** Aligned text table of the columns a person reads first. */
export function table(rows: ResultRow[]): string[] {
  const cells = rows.map((r) =>
    TABLE_COLUMNS.map((c) => {
      const s = text(r[c]).replace(/\s+/g, ' ');
      const max = MAX_WIDTH[c] ?? 40;
      return s.length > max ? `${s.slice(0, max - 1)}…` : s;
    }),
  );
  const widths = TABLE_COLUMNS.map((c, i) =>
    Math.max(c.length, ...cells.map((row) => (row[i] ?? '').length)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(TABLE_COLUMNS), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
}
