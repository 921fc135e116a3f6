import { bucketIndex, DURATION_BUCKETS, decodeField, type SeriesLabels } from './fields.ts';

/** The worker processes' request counters, read back from the shared hash. */
export interface RequestTotals {
  requests: { labels: SeriesLabels & { status: string }; value: number }[];
  durations: { labels: SeriesLabels; buckets: number[]; sum: number }[];
  rateLimited: { api: string; value: number }[];
}

/** Turns HGETALL of the metrics hash into series; unknown or garbled fields are skipped. */
export function parseRequestHash(hash: Record<string, string>): RequestTotals {
  const totals: RequestTotals = { requests: [], durations: [], rateLimited: [] };
  const durations = new Map<string, RequestTotals['durations'][number]>();
  const series = (labels: SeriesLabels) => {
    const id = `${labels.api}\n${labels.method}\n${labels.route}`;
    let entry = durations.get(id);
    if (!entry) {
      entry = { labels, buckets: new Array<number>(DURATION_BUCKETS.length + 1).fill(0), sum: 0 };
      durations.set(id, entry);
    }
    return entry;
  };
  for (const [name, raw] of Object.entries(hash)) {
    const field = decodeField(name);
    const value = Number(raw);
    if (!field || !Number.isFinite(value)) continue;
    if (field.kind === 'rateLimited') {
      totals.rateLimited.push({ api: field.api, value });
      continue;
    }
    const labels = { api: field.api, method: field.method, route: field.route };
    if (field.kind === 'requests')
      totals.requests.push({ labels: { ...labels, status: field.status }, value });
    else if (field.kind === 'sum') series(labels).sum += value;
    else {
      const entry = series(labels);
      const i = bucketIndex(field.le);
      entry.buckets[i] = (entry.buckets[i] ?? 0) + value;
    }
  }
  totals.durations = [...durations.values()];
  return totals;
}

// Prometheus text format: backslash, double quote and newline are escaped in label values.
function escapeLabel(value: string | number): string {
  return String(value).replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

function labelText(labels: Record<string, string | number>): string {
  return `{${Object.entries(labels)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(',')}}`;
}

/**
 * The duration histogram in Prometheus text. Its buckets were counted by the workers, and
 * prom-client's Histogram can only observe single values, so this family is written directly.
 */
export function renderDurationHistogram(series: RequestTotals['durations']): string {
  const name = 'mediatag_api_request_duration_seconds';
  const lines = [
    `# HELP ${name} Duration of each HTTP attempt to AssemblyAI or the LLM Gateway, all worker processes together`,
    `# TYPE ${name} histogram`,
  ];
  for (const { labels, buckets, sum } of series) {
    const base = { api: labels.api, method: labels.method, route: labels.route };
    let cumulative = 0;
    buckets.forEach((count, i) => {
      cumulative += count;
      const le = i < DURATION_BUCKETS.length ? String(DURATION_BUCKETS[i]) : '+Inf';
      lines.push(`${name}_bucket${labelText({ ...base, le })} ${cumulative}`);
    });
    lines.push(`${name}_sum${labelText(base)} ${sum}`, `${name}_count${labelText(base)} ${cumulative}`);
  }
  return `${lines.join('\n')}\n`;
}
