import { readFile } from 'node:fs/promises';
import { UsageError } from '@mediatag/errors';
import { checkUrl } from '@mediatag/sources';
import { SaxesParser } from 'saxes';

/** One subscription of an OPML export. */
export interface OpmlFeed {
  url: string;
  title: string | null;
}

/**
 * The feeds of a podcast app's OPML subscription export: every `<outline>` with an
 * `xmlUrl` (any nesting, any case of the attribute name). Outlines whose URL is not an
 * http(s) URL are returned as rejections with their title, so the rest still import.
 */
export async function readOpml(path: string): Promise<{ feeds: OpmlFeed[]; rejected: string[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--opml ${path}: cannot read (${(error as NodeJS.ErrnoException).code})`);
  }
  const feeds: OpmlFeed[] = [];
  const rejected: string[] = [];
  const seen = new Set<string>();
  const parser = new SaxesParser();
  let root: string | undefined;
  parser.on('opentag', (tag) => {
    root ??= tag.name;
    if (tag.name.toLowerCase() !== 'outline') return;
    const attrs = Object.fromEntries(
      Object.entries(tag.attributes).map(([k, v]) => [k.toLowerCase(), String(v).trim()]),
    );
    const raw = attrs.xmlurl;
    if (!raw) return;
    const title = attrs.title || attrs.text || null;
    const check = checkUrl(raw);
    if (!check.ok) rejected.push(`${title ?? raw}: ${check.reason}`);
    else if (!seen.has(check.url)) {
      seen.add(check.url);
      feeds.push({ url: check.url, title });
    }
  });
  try {
    parser.write(text.replace(/^[\s\uFEFF]+/, '')).close();
  } catch (error) {
    throw new UsageError(`--opml ${path}: not well-formed XML (${(error as Error).message})`);
  }
  if (root?.toLowerCase() !== 'opml')
    throw new UsageError(`--opml ${path}: not an OPML file (root <${root}>)`);
  return { feeds, rejected };
}
