// The shape of benchmark results, the printed table and the JSON written to bench/results/.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One line of the final table. */
export interface Row {
  scenario: string;
  /** Which variant: "N=2,000, 1 worker process". */
  case: string;
  /** The measured figure as shown: "512 files/s". */
  figure: string;
  value: number | null;
  unit: string;
  /** The target as shown: "≥ 400 files/s"; "—" for figures reported for information. */
  target: string;
  /** null: informational or skipped. */
  pass: boolean | null;
  note?: string;
}

/** What one scenario hands back: table rows and raw details for the JSON. */
export interface ScenarioResult {
  rows: Row[];
  details: Record<string, unknown>;
}

/** What a scenario is given. */
export interface BenchContext {
  quick: boolean;
  tmpDir: string;
  log(message: string): void;
}

/** A scenario of `npm run bench`. */
export interface Scenario {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<ScenarioResult>;
}

export const fmt = {
  int: (n: number) => Math.round(n).toLocaleString('en-US'),
  num: (n: number, digits = 1) => n.toFixed(digits),
  pct: (x: number) => `${(x * 100).toFixed(1)}%`,
  s: (ms: number) => `${(ms / 1000).toFixed(1)} s`,
};

/** Renders rows as an aligned text table. */
export function renderTable(rows: Row[]): string {
  const header = ['scenario', 'case', 'figure', 'target', 'result'];
  const verdict = (r: Row) =>
    r.pass === null ? (r.note?.startsWith('skipped') ? 'skip' : 'info') : r.pass ? 'PASS' : 'MISS';
  const body = rows.map((r) => [r.scenario, r.case, r.figure, r.target, verdict(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const b of body) out.push(line(b));
  const notes = rows.filter((r) => r.note).map((r) => `  * ${r.scenario} / ${r.case}: ${r.note}`);
  if (notes.length) out.push('', 'notes:', ...notes);
  return out.join('\n');
}

/** Writes results/<timestamp>.json and results/latest.json; returns the timestamped path. */
export async function writeResults(dir: string, data: unknown): Promise<string> {
  await mkdir(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = join(dir, `${stamp}.json`);
  const text = `${JSON.stringify(data, null, 2)}\n`;
  await writeFile(path, text);
  await writeFile(join(dir, 'latest.json'), text);
  return path;
}
