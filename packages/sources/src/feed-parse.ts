import { UsageError } from '@mediatag/errors';
import { type ResolvePrefix, SaxesParser, type SaxesTagNS } from 'saxes';
import { HTML_ENTITIES } from './feed-entities.ts';

const ATOM_NS = 'http://www.w3.org/2005/Atom';
const RDF_NS = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const RSS1_NS = 'http://purl.org/rss/1.0/';
const ITUNES_URI = 'http://www.itunes.com/dtds/podcast-1.0.dtd';
const MRSS_URI = 'http://search.yahoo.com/mrss/';
const DC_URI = 'http://purl.org/dc/elements/1.1/';
const ENC_URI = 'http://purl.oclc.org/net/rss_2.0/enc#';
// Namespaces read besides the dialect's own, as written in the wild (https, capitals, no www,
// no trailing slash): all mean the same.
const NAMESPACES: [Namespace, RegExp][] = [
  ['itunes', /^https?:\/\/(www\.)?itunes\.com\/dtds\/podcast-1\.0\.dtd$/i],
  ['media', /^https?:\/\/search\.yahoo\.com\/mrss\/?$/i],
  ['dc', /^https?:\/\/purl\.org\/dc\/elements\/1\.1\/?$/i],
  ['enc', /^https?:\/\/purl\.oclc\.org\/net\/rss_2\.0\/enc#$/i],
];
type Namespace = 'itunes' | 'media' | 'dc' | 'enc';
// Prefixes feeds use without declaring them, mapped to what they always mean.
const USUAL_PREFIXES: Partial<Record<string, string>> = {
  itunes: ITUNES_URI,
  media: MRSS_URI,
  dc: DC_URI,
  enc: ENC_URI,
  rdf: RDF_NS,
};
// Titles past this are junk; capping keeps one runaway element from holding memory.
const MAX_FIELD_CHARS = 16 * 1024;
// What is kept of the document's start, to tell an HTML page from broken XML.
const HEAD_CHARS = 1024;

/**
 * One enclosure as written: `<enclosure url type>` (RSS 2.0, RSS 1.0), `<link rel="enclosure"
 * href type>` (Atom), `<enc:enclosure rdf:resource enc:type>` (RSS 1.0) or `<media:content
 * url type medium duration>` (Media RSS). `url` may be relative to `base`.
 */
export interface RawEnclosure {
  url: string | null;
  type: string | null;
  /** The xml:base in scope, else the feed's http(s) URL; null for a local file without one. */
  base: string | null;
  /** Media RSS only: `audio`, `video`, `image`, … */
  medium?: string | null;
  /** Media RSS only: seconds. */
  duration?: string | null;
}

/** An item's fields as text, before validation; `index` is its 1-based position in the feed. */
export interface RawItem {
  index: number;
  /** The feed's dialect: `rdf` is RSS 1.0. */
  dialect: Dialect;
  title: string | null;
  itunesTitle: string | null;
  guid: string | null;
  published: string | null;
  updated: string | null;
  duration: string | null;
  enclosures: RawEnclosure[];
  /** Media RSS `media:content`, directly in the item or in a `media:group`. */
  mediaContents: RawEnclosure[];
}

type Dialect = 'rss' | 'atom' | 'rdf';

type TextField = 'title' | 'itunesTitle' | 'guid' | 'published' | 'updated' | 'duration';

// Which item child fills which field, keyed by dialect (or `itunes`) and local name.
const ITEM_FIELDS: Partial<Record<string, TextField>> = {
  'rss:title': 'title',
  'rss:guid': 'guid',
  'rss:pubDate': 'published',
  'atom:title': 'title',
  'atom:id': 'guid',
  'atom:published': 'published',
  'atom:updated': 'updated',
  'rdf:title': 'title',
  'dc:date': 'published',
  'itunes:title': 'itunesTitle',
  'itunes:duration': 'duration',
};

interface Capture {
  depth: number;
  text: string;
  set: (value: string | null) => void;
}

// A prefix used without a declaration (feeds often write `itunes:` and forget xmlns:itunes)
// is not worth rejecting a feed for: map `itunes` to its namespace, anything else to a
// private URI that matches nothing. The default namespace ('') stays unresolved.
const resolvePrefix: ResolvePrefix = (prefix) =>
  prefix === '' ? undefined : (USUAL_PREFIXES[prefix] ?? `urn:x-undeclared:${prefix}`);

/**
 * Streaming RSS 2.0 / Atom / RSS 1.0 parser: write text as it arrives, then `take()` the items that
 * closed meanwhile. Only the fields an episode needs are kept, so memory does not grow with
 * the document. Throws UsageError for XML that is not well-formed or is not a feed.
 */
export class FeedParser {
  /** The channel's (or Atom feed's) title as far as read; `itunes:title` when there is no plain one. */
  get feedTitle(): string | null {
    return this.title ?? this.itunesTitle;
  }

  /** The channel's `<itunes:new-feed-url>`: the publisher moved the feed there. */
  newFeedUrl: string | null = null;

  private readonly sax = new SaxesParser<{ xmlns: true; resolvePrefix: ResolvePrefix }>({
    xmlns: true,
    resolvePrefix,
  });
  private readonly done: RawItem[] = [];
  private kind: Dialect | undefined;
  private depth = 0;
  private inChannel = false;
  private item: RawItem | undefined;
  // Depth of the open <media:group>, whose media:content children belong to the item.
  private groupDepth = 0;
  // xml:base in scope at each open depth (index 0: the document's own URL).
  private readonly bases: (string | null)[];
  // Whitespace before the XML declaration is still to be skipped.
  private started = false;
  private count = 0;
  private capture: Capture | undefined;
  private title: string | null = null;
  private itunesTitle: string | null = null;
  private head = '';

  /** `base` is the feed's URL when it came over http(s): relative enclosure URLs resolve against it. */
  constructor(
    private readonly source: string,
    base: string | null = null,
  ) {
    this.bases = [base];
    Object.assign(this.sax.ENTITIES, HTML_ENTITIES);
    this.sax.on('opentagstart', (tag) => {
      if (this.depth === 0 && this.kind === undefined) this.checkRoot(tag.name);
    });
    this.sax.on('opentag', (tag) => this.open(tag));
    this.sax.on('closetag', () => this.close());
    this.sax.on('text', (text) => this.append(text));
    this.sax.on('cdata', (text) => this.append(text));
    this.sax.on('error', (error) => this.fail(error));
  }

  /** Feeds the next piece of the document (any size, split anywhere). */
  write(text: string): void {
    if (!this.started) {
      // Feeds written by templates often start with a newline; XML forbids anything before
      // `<?xml`, but podcast apps read them anyway. A BOM is already gone (TextDecoder).
      text = text.replace(/^[\s\uFEFF]+/, '');
      if (text === '') return;
      this.started = true;
    }
    if (this.head.length < HEAD_CHARS) this.head += text.slice(0, HEAD_CHARS - this.head.length);
    this.sax.write(text);
  }

  /** Signals the end of the document; throws if it ended early. */
  end(): void {
    this.sax.close();
  }

  /** The items completed since the last call, in document order. */
  take(): RawItem[] {
    return this.done.splice(0);
  }

  private checkRoot(name: string): void {
    const local = name.slice(name.indexOf(':') + 1);
    if (local === 'rss' || local === 'feed' || local === 'RDF') {
      this.kind = local === 'rss' ? 'rss' : local === 'feed' ? 'atom' : 'rdf';
      return;
    }
    throw this.notAFeed(`the document is <${name}>, expected <rss> or <feed> (or RSS 1.0's <rdf:RDF>)`);
  }

  private open(tag: SaxesTagNS): void {
    this.depth += 1;
    this.bases[this.depth] = xmlBase(tag, this.bases[this.depth - 1] ?? null);
    // Inside a captured field (Atom's type="xhtml" titles) children only contribute text.
    if (this.capture) return;
    const { local, uri } = tag;
    const kind = this.kind ?? 'rss';
    // The dialect's own elements: none namespaced for RSS 2.0, Atom's or RSS 1.0's namespace
    // (or none, when a feed forgets it).
    const plain =
      uri === '' ||
      (kind === 'atom' && uri === ATOM_NS) ||
      (kind === 'rdf' && (uri === RSS1_NS || uri === RDF_NS));
    const ns = plain ? kind : namespaceOf(uri);
    // RSS 2.0 nests items in <channel>; Atom entries and RSS 1.0 items sit under the root.
    const itemLevel = kind === 'rss' ? 3 : 2;
    const titleLevel = kind === 'atom' ? 2 : 3;
    if (kind !== 'atom' && this.depth === 2 && !(plain && local === 'item')) {
      this.inChannel = plain && local === 'channel';
    } else if (this.depth === itemLevel && plain && local === (kind === 'atom' ? 'entry' : 'item')) {
      if (kind !== 'rss' || this.inChannel) this.startItem(kind, tag);
    } else if (this.depth === titleLevel && !this.item && (kind === 'atom' || this.inChannel)) {
      if (plain && local === 'title') this.captureInto((v) => (this.title ??= v));
      else if (ns === 'itunes' && local === 'title') this.captureInto((v) => (this.itunesTitle ??= v));
      else if (ns === 'itunes' && local === 'new-feed-url') this.captureInto((v) => (this.newFeedUrl ??= v));
    } else if (this.item && this.depth === itemLevel + 1 && ns !== null) {
      this.itemField(this.item, tag, `${ns}:${local}`);
    } else if (this.item && this.depth === this.groupDepth + 1 && ns === 'media' && local === 'content') {
      this.item.mediaContents.push(this.mediaContent(tag));
    }
  }

  private itemField(item: RawItem, tag: SaxesTagNS, key: string): void {
    const attr = (name: string) => clean(tag.attributes[name]?.value ?? '');
    const base = this.bases[this.depth] ?? null;
    if (key === 'rss:enclosure' || key === 'rdf:enclosure') {
      item.enclosures.push({ url: attr('url'), type: attr('type'), base });
    } else if (key === 'enc:enclosure') {
      item.enclosures.push({ url: attr('rdf:resource') ?? attr('url'), type: attr('enc:type'), base });
    } else if (key === 'atom:link') {
      if (attr('rel')?.toLowerCase() === 'enclosure')
        item.enclosures.push({ url: attr('href'), type: attr('type'), base });
    } else if (key === 'media:content') {
      item.mediaContents.push(this.mediaContent(tag));
    } else if (key === 'media:group') {
      this.groupDepth = this.depth;
    } else {
      const field = ITEM_FIELDS[key];
      if (field) this.captureInto((v) => (item[field] ??= v));
    }
  }

  private mediaContent(tag: SaxesTagNS): RawEnclosure {
    const attr = (name: string) => clean(tag.attributes[name]?.value ?? '');
    return {
      url: attr('url'),
      type: attr('type'),
      base: this.bases[this.depth] ?? null,
      medium: attr('medium'),
      duration: attr('duration'),
    };
  }

  private startItem(dialect: Dialect, tag: SaxesTagNS): void {
    this.count += 1;
    this.item = {
      index: this.count,
      dialect,
      title: null,
      itunesTitle: null,
      // RSS 1.0 identifies an item by its rdf:about URI; it has no guid element.
      guid: dialect === 'rdf' ? clean(tag.attributes['rdf:about']?.value ?? '') : null,
      published: null,
      updated: null,
      duration: null,
      enclosures: [],
      mediaContents: [],
    };
  }

  private captureInto(set: Capture['set']): void {
    this.capture = { depth: this.depth, text: '', set };
  }

  private append(text: string): void {
    const c = this.capture;
    if (c && c.text.length < MAX_FIELD_CHARS) c.text += text.slice(0, MAX_FIELD_CHARS - c.text.length);
  }

  private close(): void {
    if (this.capture?.depth === this.depth) {
      this.capture.set(clean(this.capture.text));
      this.capture = undefined;
    }
    if (this.item && this.depth === (this.kind === 'rss' ? 3 : 2)) {
      this.done.push(this.item);
      this.item = undefined;
    }
    if (this.depth === this.groupDepth) this.groupDepth = 0;
    if (this.depth === 2) this.inChannel = false;
    this.depth -= 1;
  }

  private fail(error: Error): void {
    // saxes prefixes "line:column: " to its messages.
    const [, line = '?', column = '?', reason = error.message] =
      /^(\d+):(\d+): (.*)$/s.exec(error.message) ?? [];
    // An HTML name missing from our table: keep it as written rather than drop the feed.
    if (reason === 'undefined entity.') return;
    if (this.kind === undefined && /<!doctype\s+html|<html[\s>]/i.test(this.head)) {
      throw this.notAFeed('it looks like an HTML page');
    }
    throw new UsageError(
      `feed ${this.source} is not well-formed XML (line ${line}, column ${column}: ${reason.replace(/\.$/, '')})`,
    );
  }

  private notAFeed(why: string): UsageError {
    return new UsageError(`feed ${this.source} is not an RSS or Atom feed: ${why}`);
  }
}

function namespaceOf(uri: string): Namespace | null {
  if (uri === '') return null;
  for (const [name, pattern] of NAMESPACES) if (pattern.test(uri)) return name;
  return null;
}

/** The base URI inside `tag`: its xml:base resolved against the parent's, else the parent's. */
function xmlBase(tag: SaxesTagNS, parent: string | null): string | null {
  const value = tag.attributes['xml:base']?.value.trim();
  if (!value) return parent;
  try {
    return new URL(value, parent ?? undefined).href;
  } catch {
    // Relative to nothing (a local file): no usable base.
    return parent;
  }
}

/** Collapses whitespace runs (titles often wrap across lines); empty becomes null. */
function clean(text: string): string | null {
  const s = text.replace(/\s+/g, ' ').trim();
  return s === '' ? null : s;
}
