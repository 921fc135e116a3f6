import { chartJsSource, chartsSource } from './assets.ts';
import type { BatchReport, ReportData } from './data.ts';
import { evaluationSection } from './evaluation-section.ts';
import { binLabel, duration } from './histogram.ts';
import { contentSecurityPolicy, esc, inlineScript, jsonForScript } from './html.ts';
import { STYLE } from './style.ts';

/** A rendered page and the Content-Security-Policy it carries (the server also sends it as a header). */
export interface Page {
  html: string;
  csp: string;
}

// Reasons are kept whole in Postgres; the page shows enough of each to read it.
const MAX_REASON = 1000;

const count = (n: number) => n.toLocaleString('en-US');
const hours = (h: number) => h.toLocaleString('en-US', { maximumFractionDigits: 3 });
const pct = (part: number, whole: number) =>
  whole === 0 ? '–' : `${Math.floor((part / whole) * 1000) / 10}%`;

/** USD with cents, or with four decimals under a dollar (an emulator run costs fractions of a cent). */
export function usd(n: number): string {
  return n.toLocaleString('en-US', {
    style: 'currency',
    currency: 'USD',
    minimumFractionDigits: 2,
    maximumFractionDigits: Math.abs(n) < 1 ? 4 : 2,
  });
}

const clip = (s: string | null) => (s && s.length > MAX_REASON ? `${s.slice(0, MAX_REASON)}…` : (s ?? ''));

/** The page's frame: CSP, inline style, a title; `scripts` are inlined in order at the end of the body. */
export function page(title: string, body: string, scripts: string[] = [], head = ''): Page {
  const inlined = scripts.map(inlineScript);
  const csp = contentSecurityPolicy(inlined);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
${head}<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
${inlined.map((s) => `<script>${s}</script>`).join('\n')}
</body>
</html>
`;
  return { html, csp };
}

function table(id: string, caption: string, head: string[], rows: string[][], numericFrom = 1): string {
  const th = head.map((h, i) => `<th scope="col"${i >= numericFrom ? ' class="n"' : ''}>${esc(h)}</th>`);
  const tr = rows.map(
    (cells) =>
      `<tr>${cells.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td${i >= numericFrom ? ' class="n"' : ''}>${c}</td>`)).join('')}</tr>`,
  );
  return `<table id="${id}"><caption>${esc(caption)}</caption><thead><tr>${th.join('')}</tr></thead><tbody>${tr.join('')}</tbody></table>`;
}

const STATUS_ROWS: [string, (b: BatchReport) => number][] = [
  ['Tagged', (b) => b.progress.tagged],
  ['Unmatched', (b) => b.progress.unmatched],
  ['Transcription failed', (b) => b.progress.transcriptErrors],
  ['Tagging failed', (b) => b.progress.tagErrors],
  ['Waiting to be submitted', (b) => b.progress.pending],
  ['Queued at AssemblyAI', (b) => b.progress.queued],
  ['Transcribing', (b) => b.progress.processing],
  ['Waiting for a topic', (b) => b.progress.tagging],
  ['Total', (b) => b.progress.total],
];

/** Topic labels of all batches: by total count, most first; ties (and zeros) in list order. */
function topicLabels(batches: BatchReport[]): { labels: string[]; counts: number[][] } {
  const order = new Map<string, number>();
  for (const b of batches) for (const t of b.topics) order.set(t.topic, (order.get(t.topic) ?? 0) + t.count);
  const labels = [...order.entries()].sort((a, b) => b[1] - a[1]).map(([topic]) => topic);
  const counts = batches.map((b) => {
    const mine = new Map(b.topics.map((t) => [t.topic, t.count]));
    return labels.map((l) => mine.get(l) ?? 0);
  });
  return { labels, counts };
}

function problemsSection(batches: BatchReport[]): string {
  const many = batches.length > 1;
  const head = [...(many ? ['Batch'] : []), 'File', 'What happened', 'Reason'];
  const rows: string[] = [];
  const more: string[] = [];
  for (const b of batches) {
    for (const p of b.problems.rows) {
      const reason =
        p.kind === 'unmatched' && p.rawAnswer
          ? `${esc(clip(p.reason))}${p.reason ? '<br>' : ''}<span class="answer">model answered: ${esc(clip(p.rawAnswer))}</span>`
          : esc(clip(p.reason));
      const file = `<span class="url">${esc(p.url)}</span>${p.title ? `<br><span class="title">${esc(p.title)}</span>` : ''}`;
      rows.push(
        `<tr class="${esc(p.kind.replace(/ /g, '-'))}">${many ? `<td>${esc(b.name)}</td>` : ''}<td>${file}</td><td>${esc(p.kind)}</td><td>${reason}</td></tr>`,
      );
    }
    const rest = b.problems.total - b.problems.rows.length;
    if (rest > 0)
      more.push(
        `<p class="more">…and ${count(rest)} more in ${esc(b.name)} (<code>mediatag results --batch … --format csv</code> lists them all).</p>`,
      );
  }
  const body =
    rows.length === 0
      ? '<p id="problems-none">Every final file has a topic.</p>'
      : `<table id="problems-table"><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
  return `<section id="problems"><h2>Unmatched and failed files</h2>${body}${more.join('')}</section>`;
}

/** The report page of one batch, or of two side by side: self-contained (Chart.js inlined). */
export function renderReport(data: ReportData, options: { backLink?: string } = {}): Page {
  const { batches, binning } = data;
  const names = batches.map((b) => b.name);
  const heads = ['', ...names];
  const { labels, counts } = topicLabels(batches);
  const bins = Array.from({ length: binning.bins }, (_, i) => binLabel(i, binning));
  const title = `mediatag report: ${names.join(' vs ')}`;

  const summary = table('summary-table', 'Summary', heads, [
    ['Tag list', ...batches.map((b) => `${esc(b.taxonomy.name)} v${b.taxonomy.version}`)],
    ['Files', ...batches.map((b) => count(b.progress.total))],
    [
      'Final',
      ...batches.map((b) => `${count(b.progress.final)} (${pct(b.progress.final, b.progress.total)})`),
    ],
    ['Audio hours', ...batches.map((b) => hours(b.costs.audioHours))],
    ['Transcription cost', ...batches.map((b) => usd(b.costs.transcriptionUsd))],
    ['LLM cost', ...batches.map((b) => usd(b.costs.llmUsd))],
    ['Total cost', ...batches.map((b) => `<strong>${usd(b.costs.totalUsd)}</strong>`)],
    [
      'LLM tokens in / out',
      ...batches.map((b) => `${count(b.costs.llmInputTokens)} / ${count(b.costs.llmOutputTokens)}`),
    ],
    ['Created', ...batches.map((b) => esc(b.createdAt.toISOString().slice(0, 16).replace('T', ' ')))],
  ]);
  const status = table(
    'status-table',
    'Status',
    heads,
    STATUS_ROWS.map(([label, get]) => [esc(label), ...batches.map((b) => count(get(b)))]),
  );
  const topicsTable = table(
    'topics-table',
    'Files per topic',
    ['Topic', ...names],
    labels.map((l, i) => [esc(l), ...counts.map((c) => count(c[i] ?? 0))]),
  );
  const processingTable = table(
    'processing-table',
    'Files per processing time',
    ['Submitted → completed', ...names],
    bins.map((l, i) => [esc(l), ...batches.map((b) => count(b.processing.bins[i] ?? 0))]),
  );
  const processingStats = batches
    .map((b) => {
      const p = b.processing;
      const figures =
        p.count === 0
          ? 'no completed transcripts yet'
          : `${count(p.count)} transcripts: median ${duration(p.medianS ?? 0)}, 90th percentile ${duration(p.p90S ?? 0)}, longest ${duration(p.maxS ?? 0)}`;
      return `<li>${names.length > 1 ? `<strong>${esc(b.name)}</strong>: ` : ''}${figures}</li>`;
    })
    .join('');
  const topicsHeight = 60 + labels.length * (10 + 14 * batches.length);
  const chartData = {
    topics: labels,
    bins,
    series: batches.map((b, i) => ({
      name: b.name,
      topicCounts: counts[i],
      processingBins: b.processing.bins,
    })),
  };
  const body = `<header>
${options.backLink ? `<p class="back"><a href="${esc(options.backLink)}">← all batches</a></p>` : ''}<h1>Batch report: ${names.map((n) => `<span class="batch">${esc(n)}</span>`).join(' <span class="vs">vs</span> ')}</h1>
<p class="meta">Generated ${esc(data.generatedAt.toISOString().replace('T', ' ').slice(0, 19))} UTC · costs are estimates at the prices in force when each file was processed (the <code>batch_costs</code> view)</p>
</header>
<main>
<div class="grid">
<section id="summary">${summary}${status}</section>
<section id="topics"><h2>Topics</h2>
<div class="chart" style="height:${topicsHeight}px"><canvas id="topics-chart" role="img" aria-label="Files per topic, bar chart; the table below has the same figures"></canvas></div>
${topicsTable}</section>
</div>
<section id="processing"><h2>Processing time</h2>
<ul class="stats">${processingStats}</ul>
<div class="chart" style="height:260px"><canvas id="processing-chart" role="img" aria-label="Histogram of seconds from submission to completion; the table below has the same figures"></canvas></div>
<details><summary>As a table</summary>${processingTable}</details></section>
${evaluationSection(batches)}
${problemsSection(batches)}
</main>
<script type="application/json" id="report-data">${jsonForScript(chartData)}</script>`;
  return page(title, body, [chartJsSource(), chartsSource()]);
}
