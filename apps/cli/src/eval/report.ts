// What `mediatag eval` reports: one JSON object (--json, and stored per run in eval_runs.metrics)
// and the same figures as terminal tables.
import type { Answer } from './ask.ts';
import { type Agreement, agreement, type LabelMetrics, labelMetrics, UNMATCHED } from './metrics.ts';
import type { ConfigResult, EvalFile } from './run.ts';

/** One configuration's figures. */
export interface ConfigReport {
  name: string;
  runId: number;
  overrides: Record<string, string>;
  model: string;
  batchSize: number;
  excerptTokens: number | null;
  files: number;
  /** Answers copied from an earlier run of the same configuration. */
  reused: number;
  /** Files the gateway could not answer (not scored). */
  failed: Array<{ url: string; error: string }>;
  /** Against hand labels (labels mode only). */
  labels?: Omit<LabelMetrics, 'errors'> & {
    wrong: Array<{ url: string; expected: string; predicted: string }>;
  };
  unmatched: number;
  unmatchedRate: number | null;
  tokensPerFile: number | null;
  costPerFileUsd: number | null;
  requestsPerFile: number | null;
  /** What this invocation spent (0 for re-used answers). */
  thisRun: { requests: number; inputTokens: number; outputTokens: number; costUsd: number };
}

/** Two configurations compared: the first against each other one. */
export interface PairReport extends Omit<Agreement, 'disagreements'> {
  a: string;
  b: string;
  disagreements: Array<{ url: string; a: string; b: string; current: string | null }>;
}

/** The whole report. */
export interface EvalReport {
  mode: 'labels' | 'agreement';
  taxonomy: { name: string; version: number };
  batch: string | null;
  seed: number | null;
  files: number;
  skipped: Array<{ file: string; reason: string }>;
  configs: ConfigReport[];
  agreement: PairReport[];
}

const answerOf = (a: Answer) => (a.status === 'tagged' ? a.topic : null);

/** Builds the report from each configuration's answers (in `files` order). */
export function buildReport(
  base: Omit<EvalReport, 'configs' | 'agreement' | 'files'>,
  files: Array<EvalFile & { current?: string | null }>,
  results: ConfigResult[],
  tags: string[],
): EvalReport {
  const configs = results.map((r): ConfigReport => {
    const ok = r.answers.flatMap((a, i) => (a.status === 'error' ? [] : [{ a, f: files[i] as EvalFile }]));
    const n = ok.length;
    const per = (v: number) => (n === 0 ? null : v / n);
    const t = r.config.settings.tagging;
    const unmatched = ok.filter(({ a }) => a.status === 'unmatched').length;
    const report: ConfigReport = {
      name: r.config.name,
      runId: r.runId,
      overrides: r.config.overrides as Record<string, string>,
      model: r.config.model,
      batchSize: t.batchSize,
      excerptTokens: t.batchSize > 1 ? t.excerptTokens : null,
      files: r.answers.length,
      reused: r.answers.filter((a) => a.reused).length,
      failed: r.answers.flatMap((a, i) =>
        a.status === 'error' ? [{ url: (files[i] as EvalFile).url, error: a.error ?? '' }] : [],
      ),
      unmatched,
      unmatchedRate: per(unmatched),
      tokensPerFile: per(ok.reduce((s, { a }) => s + a.inputTokens + a.outputTokens, 0)),
      costPerFileUsd: per(ok.reduce((s, { a }) => s + a.costUsd, 0)),
      requestsPerFile: per(ok.reduce((s, { a }) => s + a.requests, 0)),
      thisRun: r.spent,
    };
    if (base.mode === 'labels') {
      const pairs = ok.map(({ a, f }) => ({ expected: f.expected as string, predicted: answerOf(a) }));
      const { errors, ...m } = labelMetrics(pairs, tags);
      report.labels = {
        ...m,
        wrong: errors.map((e) => ({
          url: (ok[e.index] as { f: EvalFile }).f.url,
          expected: e.expected,
          predicted: e.predicted,
        })),
      };
    }
    return report;
  });
  const pairs: PairReport[] = [];
  const [first, ...others] = results;
  for (const other of first ? others : []) {
    const both = files.flatMap((f, i) => {
      const a = first?.answers[i] as Answer;
      const b = other.answers[i] as Answer;
      return a.status === 'error' || b.status === 'error' ? [] : [{ f, a: answerOf(a), b: answerOf(b) }];
    });
    const { disagreements, ...agreed } = agreement(
      both.map((x) => x.a),
      both.map((x) => x.b),
      tags,
    );
    pairs.push({
      a: first?.config.name as string,
      b: other.config.name,
      ...agreed,
      disagreements: disagreements.map((i) => {
        const x = both[i] as (typeof both)[number];
        return { url: x.f.url, a: x.a ?? UNMATCHED, b: x.b ?? UNMATCHED, current: x.f.current ?? null };
      }),
    });
  }
  return { ...base, files: files.length, configs, agreement: pairs };
}

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const num = (x: number | null, digits = 2) => (x === null ? '—' : x.toFixed(digits));
const usd = (x: number | null) => (x === null ? '—' : `$${x.toFixed(5)}`);

/** An aligned text table; numbers (and dashes) right-aligned. */
export function textTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const right = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[-—$\d.,%+]*$/.test(r[i] ?? '')));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** The confusion matrix with numbered columns (tag names are too wide for 15 columns); empty rows and columns left out. */
function confusionTable({ labels, columns, counts }: LabelMetrics['confusion']): string[] {
  const number = (j: number) => (j === columns.length - 1 ? 'u' : String(j + 1));
  const rowUsed = counts.map((row) => row.some((n) => n > 0));
  const cols = columns.flatMap((_, j) => (counts.some((row) => (row[j] ?? 0) > 0) ? [j] : []));
  return textTable(
    ['label', ...cols.map(number)],
    labels.flatMap((label, i) =>
      rowUsed[i]
        ? [[`${i + 1} ${label}`, ...cols.map((j) => String(counts[i]?.[j] ?? 0).replace(/^0$/, '.'))]]
        : [],
    ),
  );
}

/** The report as lines for a terminal. */
export function renderReport(r: EvalReport): string[] {
  const out: string[] = [];
  const where = r.batch ? ` from batch ${r.batch} (seed ${r.seed})` : '';
  out.push(
    `${r.mode === 'labels' ? 'hand-labelled' : 'sampled'} files: ${r.files}${where}, tag list ${r.taxonomy.name} v${r.taxonomy.version}`,
  );
  if (r.skipped.length > 0) {
    out.push(`skipped ${r.skipped.length} (no completed transcript to re-use):`);
    for (const s of r.skipped.slice(0, 20)) out.push(`  ${s.file}: ${s.reason}`);
    if (r.skipped.length > 20) out.push(`  … and ${r.skipped.length - 20} more (see --json)`);
  }
  out.push('');
  out.push(
    ...textTable(
      [
        'config',
        'files',
        ...(r.mode === 'labels' ? ['accuracy'] : []),
        'unmatched',
        'failed',
        'tokens/file',
        'cost/file',
        'requests/file',
        'requests now',
        'reused',
      ],
      r.configs.map((c) => [
        c.name,
        String(c.files),
        ...(r.mode === 'labels' ? [pct(c.labels?.accuracy ?? null)] : []),
        pct(c.unmatchedRate),
        String(c.failed.length),
        num(c.tokensPerFile, 0),
        usd(c.costPerFileUsd),
        num(c.requestsPerFile, 3),
        String(c.thisRun.requests),
        String(c.reused),
      ]),
    ),
  );
  for (const c of r.configs) {
    const settings =
      Object.entries(c.overrides)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ') || 'current settings';
    out.push(
      '',
      `== ${c.name} (${settings}; model ${c.model}, ${c.batchSize} per request${c.excerptTokens === null ? ', whole transcript' : `, excerpt ${c.excerptTokens || 'whole'} tokens`})`,
    );
    for (const f of c.failed.slice(0, 10)) out.push(`  failed: ${f.url}: ${f.error}`);
    const m = c.labels;
    if (!m) continue;
    out.push(`accuracy ${pct(m.accuracy)} (${m.correct}/${m.files}), unmatched ${pct(m.unmatchedRate)}`);
    const shown = m.perTag.filter((t) => t.support > 0 || t.predicted > 0);
    out.push(
      ...textTable(
        ['tag', 'labelled', 'answered', 'precision', 'recall', 'F1'],
        shown.map((t) => [
          t.tag,
          String(t.support),
          String(t.predicted),
          pct(t.precision),
          pct(t.recall),
          num(t.f1, 3),
        ]),
      ),
    );
    out.push('', 'confusion (rows: label, columns: answer, numbered as the rows; u = unmatched)');
    out.push(...confusionTable(m.confusion));
    if (m.wrong.length > 0) {
      out.push('', `wrong (${m.wrong.length}):`);
      out.push(
        ...textTable(
          ['url', 'label', 'answer'],
          m.wrong.map((w) => [w.url, w.expected, w.predicted]),
        ),
      );
    }
  }
  for (const p of r.agreement) {
    out.push(
      '',
      `== ${p.a} vs ${p.b}: agree on ${p.agree}/${p.files} (${pct(p.agreement)}), Cohen's kappa ${num(p.kappa, 3)}`,
    );
    out.push(
      ...textTable(
        ['tag', p.a, p.b, 'both', 'agreement', 'kappa'],
        p.perTag
          .filter((t) => t.a + t.b > 0)
          .map((t) => [t.tag, String(t.a), String(t.b), String(t.both), pct(t.agreement), num(t.kappa, 3)]),
      ),
    );
    if (p.disagreements.length > 0) {
      out.push('', `they disagree on ${p.disagreements.length} files (look at these by hand):`);
      out.push(
        ...textTable(
          ['url', p.a, p.b, 'current topic'],
          p.disagreements.map((d) => [d.url, d.a, d.b, d.current ?? '—']),
        ),
      );
    }
  }
  return out;
}
