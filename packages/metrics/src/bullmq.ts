import { QUEUE_NAMES, type Queues } from '@mediatag/queue';

/**
 * Merges Prometheus text expositions into one: each family's HELP and TYPE once, then all
 * its samples. Concatenating BullMQ's per-queue exports would repeat `# TYPE bullmq_job_count`
 * once per queue, which Prometheus rejects ("second TYPE line for metric name").
 */
export function mergeExpositions(texts: string[]): string {
  const families = new Map<string, { meta: string[]; samples: string[] }>();
  const family = (name: string) => {
    let entry = families.get(name);
    if (!entry) {
      entry = { meta: [], samples: [] };
      families.set(name, entry);
    }
    return entry;
  };
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const meta = /^# (HELP|TYPE) (\S+)/.exec(line);
      if (meta) {
        const entry = family(meta[2] as string);
        if (!entry.meta.some((m) => m.startsWith(`# ${meta[1]} `))) entry.meta.push(line);
        continue;
      }
      if (line.startsWith('#')) continue;
      // Histogram and summary samples (_bucket, _sum, _count) belong to the family declared before them.
      const name = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(line)?.[0] ?? line;
      const base = name.replace(/_(bucket|sum|count)$/, '');
      family(base !== name && families.has(base) ? base : name).samples.push(line);
    }
  }
  const blocks = [...families.values()].map((f) => [...f.meta, ...f.samples].join('\n'));
  return blocks.length ? `${blocks.join('\n')}\n` : '';
}

/** BullMQ's own exporter (`bullmq_job_count`, `bullmq_job_completed_total`, …) for every queue, merged. */
export async function exportQueueMetrics(queues: Queues): Promise<string> {
  const texts = await Promise.all(QUEUE_NAMES.map((name) => queues[name].exportPrometheusMetrics()));
  return mergeExpositions(texts);
}
