/** One exported row: column name → value as pg returned it. */
export type ResultRow = Record<string, unknown>;

/** The columns `results --format table` shows unless --columns says otherwise: what a person reads first. */
export const TABLE_COLUMNS = ['url', 'topic', 'transcript_status', 'tag_status', 'audio_duration_s', 'error'];

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

// What a spreadsheet may run as a formula: = + - @, also their full-width (＝ ＋ － ＠) and
// small (﹦ ﹢ ﹣ ﹫) forms, which some spreadsheets normalise to ASCII before evaluating.
const FORMULA_START = /^[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\uFE66\uFE62\uFE63\uFE6B]/;
// Spreadsheets skip leading blanks before a formula: ASCII and Unicode spaces (\s covers
// NBSP, U+2000–U+200A, U+3000, BOM …) and the zero-width ones \s does not.
const LEADING_BLANKS = /^[\s\u180E\u200B-\u200D\u2060]+/;

/**
 * One CSV cell (RFC 4180 quoting). A cell a spreadsheet would run as a formula gets a
 * leading apostrophe: one starting with a tab, CR or LF, or whose first character after
 * leading blanks starts a formula. URLs, answers, titles and metadata are untrusted text.
 */
export function csvCell(value: unknown): string {
  let s = text(value);
  if (/^[\t\r\n]/.test(s) || FORMULA_START.test(s.replace(LEADING_BLANKS, ''))) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV line of the given columns of a row. */
export function csvLine(row: ResultRow, columns: readonly string[]): string {
  return columns.map((c) => csvCell(row[c])).join(',');
}

/** A JSON object of the given columns of a row, timestamps as ISO strings. */
export function jsonRow(row: ResultRow, columns: readonly string[]): string {
  const out: Record<string, unknown> = {};
  for (const c of columns)
    out[c] = row[c] instanceof Date ? (row[c] as Date).toISOString() : (row[c] ?? null);
  return JSON.stringify(out);
}

const MAX_WIDTH: Record<string, number> = { url: 60, error: 50 };

/** Aligned text table of the given columns; long cells are cut with an ellipsis. */
export function table(rows: ResultRow[], columns: readonly string[] = TABLE_COLUMNS): string[] {
  const cells = rows.map((r) =>
    columns.map((c) => {
      const s = text(r[c]).replace(/\s+/g, ' ');
      const max = MAX_WIDTH[c] ?? 40;
      return s.length > max ? `${s.slice(0, max - 1)}…` : s;
    }),
  );
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
}
