import { UsageError } from '@mediatag/errors';
import { parse } from 'csv-parse/sync';

/** One hand label: the file (by URL or transcript id) and the topic a person gave it. */
export interface GoldLabel {
  /** Line in the file (1 = header), for messages. */
  line: number;
  url: string | null;
  transcriptId: string | null;
  topic: string;
}

/**
 * Reads a gold CSV: a header with `topic` and `url` or `transcript_id` (any case, other columns
 * ignored), one labelled file per row. A file labelled twice, a row naming no file or no topic,
 * or a topic that is not a tag of the list is refused with its line number: a typo in a label
 * would otherwise be scored as the model's mistake. Topics are matched case-insensitively and
 * returned as the tag's own spelling.
 */
export function parseGold(text: string, tags: string[]): GoldLabel[] {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true });
  } catch (error) {
    throw new UsageError(`labels: not a CSV file (${(error as Error).message})`);
  }
  const [header, ...rows] = records;
  if (!header) throw new UsageError('labels: the file is empty');
  const col = (name: string) => header.findIndex((h) => h.toLowerCase() === name);
  const urlCol = col('url');
  const idCol = col('transcript_id');
  const topicCol = col('topic');
  if (topicCol < 0 || (urlCol < 0 && idCol < 0))
    throw new UsageError('labels: the header needs a "topic" column and a "url" or "transcript_id" column');
  const byName = new Map(tags.map((t) => [t.toLowerCase(), t]));
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const labels: GoldLabel[] = [];
  for (const [i, row] of rows.entries()) {
    const line = i + 2;
    const url = urlCol >= 0 ? row[urlCol] || null : null;
    const transcriptId = idCol >= 0 ? row[idCol] || null : null;
    const given = row[topicCol] ?? '';
    const topic = byName.get(given.toLowerCase());
    const key = url ? `url:${url}` : `id:${transcriptId}`;
    const before = seen.get(key);
    if (!url && !transcriptId) problems.push(`line ${line}: no url or transcript_id`);
    else if (!topic) problems.push(`line ${line}: "${given}" is not a tag of the list`);
    else if (before !== undefined) problems.push(`line ${line}: labelled already on line ${before}`);
    else {
      seen.set(key, line);
      labels.push({ line, url, transcriptId, topic });
    }
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).join('; ');
    const more = problems.length > 10 ? ` (and ${problems.length - 10} more)` : '';
    throw new UsageError(`labels: ${shown}${more}`);
  }
  if (labels.length === 0) throw new UsageError('labels: no labelled rows');
  return labels;
}
