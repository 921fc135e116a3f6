// The report's Evaluation section: the newest `mediatag eval` of a batch, per configuration, and
// for hand labels the confusion matrix as a heatmap. The heatmap is an HTML table whose cell
// colours are computed here: the numbers are the table (a screen reader reads it as one), it
// needs no script, so the page's CSP (scripts by hash) is untouched.
import type { BatchReport } from './data.ts';
import type { ConfusionCounts, EvalConfigFigures, Evaluation } from './evaluation.ts';
import { UNMATCHED } from './evaluation.ts';
import { esc } from './html.ts';

// The same figures as `mediatag eval` prints, so a page and a terminal can be compared.
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const fixed = (x: number | null, digits: number) => (x === null ? '—' : x.toFixed(digits));
const perFileUsd = (x: number | null) => (x === null ? '—' : `$${x.toFixed(5)}`);

/** Answers equal to the label are drawn blue, mix-ups red (the page's palette). */
const RIGHT: [number, number, number] = [37, 99, 235];
const WRONG: [number, number, number] = [220, 38, 38];

/**
 * Background and text colour of a cell of `n` files, `max` being the largest cell of its kind
 * (diagonal or not: each is scaled on its own, so one mix-up is not lost next to 200 right
 * answers). Zero is left white; any file at all gets at least a fifth of the colour; white text
 * only on the darkest cells, where it keeps contrast.
 */
export function heat(n: number, max: number, rgb: [number, number, number]): string {
  if (n <= 0 || max <= 0) return '';
  const t = 0.2 + 0.8 * Math.min(1, n / max);
  const mix = rgb.map((c) => Math.round(255 - (255 - c) * t));
  return `background:rgb(${mix.join(',')});color:${t > 0.8 ? '#fff' : 'var(--fg)'}`;
}

function settingsLine(c: EvalConfigFigures): string {
  const given = Object.entries(c.overrides).map(([k, v]) => `${k}=${v}`);
  const parts = [
    given.length > 0 ? given.join(', ') : 'current settings',
    ...(c.model ? [c.model] : []),
    ...(c.batchSize ? [`${c.batchSize} per request`] : []),
  ];
  return esc(parts.join(' · '));
}

function score(e: Evaluation, c: EvalConfigFigures): string {
  if (e.mode === 'labels') return `${pct(c.accuracy)} (${c.correct}/${c.scored})`;
  const a = c.agreement;
  if (!a) return 'reference';
  return `${pct(a.rate)} (${a.agree}/${a.files})${a.kappa === null ? '' : `, κ ${a.kappa.toFixed(3)}`}`;
}

function configsTable(e: Evaluation, id: string): string {
  const head = [
    'Configuration',
    'Files',
    e.mode === 'labels' ? 'Accuracy' : `Agreement with ${e.configs[0]?.name ?? ''}`,
    'Unmatched',
    'Failed',
    'Tokens/file',
    'Cost/file',
    'Requests/file',
    'Requests sent',
  ];
  const rows = e.configs.map((c) => {
    const cells = [
      String(c.files),
      score(e, c),
      pct(c.unmatchedRate),
      String(c.failed),
      fixed(c.tokensPerFile, 0),
      perFileUsd(c.costPerFileUsd),
      fixed(c.requestsPerFile, 3),
      String(c.requestsSent),
    ];
    return `<tr data-config="${esc(c.name)}"><th scope="row"><strong>${esc(c.name)}</strong><br><span class="settings">${settingsLine(c)}</span></th>${cells.map((x) => `<td class="n">${esc(x)}</td>`).join('')}</tr>`;
  });
  return `<table id="${id}" class="eval-configs"><caption>Per configuration</caption><thead><tr>${head.map((h, i) => `<th scope="col"${i > 0 ? ' class="n"' : ''}>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** One configuration's confusion matrix: rows the hand label, columns the answer (UNMATCHED last). */
export function confusionHeatmap(name: string, m: ConfusionCounts, id: string): string {
  const columns = [...m.tags, UNMATCHED];
  let maxRight = 0;
  let maxWrong = 0;
  m.counts.forEach((row, i) => {
    row.forEach((n, j) => {
      if (i === j) maxRight = Math.max(maxRight, n);
      else maxWrong = Math.max(maxWrong, n);
    });
  });
  const head = columns
    .map(
      (c) =>
        `<th scope="col" class="answer"><span>${esc(c === UNMATCHED ? `(${UNMATCHED})` : c)}</span></th>`,
    )
    .join('');
  const rows = m.tags.map((label, i) => {
    const cells = columns.map((answer, j) => {
      const n = m.counts[i]?.[j] ?? 0;
      const right = i === j;
      const style = heat(n, right ? maxRight : maxWrong, right ? RIGHT : WRONG);
      const kind = n === 0 ? 'zero' : right ? 'right' : 'wrong';
      const title = `labelled ${label}, answered ${answer}: ${n} file${n === 1 ? '' : 's'}`;
      return `<td class="n ${kind}"${style ? ` style="${style}"` : ''} title="${esc(title)}">${n}</td>`;
    });
    return `<tr><th scope="row">${esc(label)}</th>${cells.join('')}</tr>`;
  });
  return `<table id="${id}" class="confusion" data-config="${esc(name)}"><caption>${esc(name)}: hand label (rows) × answer (columns)</caption><thead><tr><th scope="col">label ↓ · answer →</th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function one(b: BatchReport, i: number, many: boolean): string {
  const e = b.evaluation;
  if (!e) return '';
  const files = Math.max(0, ...e.configs.map((c) => c.files));
  const what =
    e.mode === 'labels' ? 'against hand labels' : 'agreement between configurations on a sample of the batch';
  const older = e.runsInBatch - e.configs.length;
  const meta = `<p class="meta">${many ? `<strong>${esc(b.name)}</strong>: ` : ''}<code>mediatag eval</code> ${what}, ${esc(e.createdAt.toISOString().replace('T', ' ').slice(0, 16))} UTC: ${files} files, tag list ${esc(e.taxonomy.name)} v${e.taxonomy.version}${older > 0 ? ` (the newest run; ${older} earlier configuration runs are in <code>eval_runs</code>)` : ''}.</p>`;
  const heatmaps = e.configs.flatMap((c, j) =>
    c.confusion && c.confusion.tags.length > 0
      ? [`<div class="heatmap">${confusionHeatmap(c.name, c.confusion, `eval-confusion-${i}-${j}`)}</div>`]
      : [],
  );
  const legend =
    heatmaps.length > 0
      ? '<p class="legend"><span class="key right"></span> answer equals the label <span class="key wrong"></span> mix-up; the darker, the more files (each colour scaled to its own largest cell). Only tags used as a label or an answer are shown.</p>'
      : '';
  return `<div class="eval" id="eval-${i}">${meta}${configsTable(e, `eval-table-${i}`)}${legend}${heatmaps.join('')}</div>`;
}

/** The Evaluation section, or '' when no batch has an evaluation. */
export function evaluationSection(batches: BatchReport[]): string {
  if (!batches.some((b) => b.evaluation)) return '';
  const many = batches.length > 1;
  return `<section id="evaluation"><h2>Evaluation</h2>${batches.map((b, i) => one(b, i, many)).join('')}</section>`;
}
