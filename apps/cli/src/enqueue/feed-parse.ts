import { UsageError } from '@mediatag/errors';
import { type ResolvePrefix, SaxesParser, type SaxesTagNS } from 'saxes';
import { HTML_ENTITIES } from './feed-entities.ts';

const ATOM_NS = 'http://www.w3.org/2005/Atom';
const ITUNES_URI = 'http://www.itunes.com/dtds/podcast-1.0.dtd';
// Apple's URI, written in the wild with https, capitals or without www: all mean the same.
const ITUNES_NS = /^https?:\/\/(www\.)?itunes\.com\/dtds\/podcast-1\.0\.dtd$/i;
// Titles past this are junk; capping keeps one runaway element from holding memory.
const MAX_FIELD_CHARS = 16 * 1024;
// What is kept of the document's start, to tell an HTML page from broken XML.
const HEAD_CHARS = 1024;

/** One enclosure as written: `<enclosure url type>` (RSS) or `<link rel="enclosure" href type>` (Atom). */
export interface RawEnclosure {
  url: string | null;
  type: string | null;
}

/** An item's fields as text, before validation; `index` is its 1-based position in the feed. */
export interface RawItem {
  index: number;
  title: string | null;
  itunesTitle: string | null;
  guid: string | null;
  published: string | null;
  updated: string | null;
  duration: string | null;
  enclosures: RawEnclosure[];
}

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
  prefix === '' ? undefined : prefix === 'itunes' ? ITUNES_URI : `urn:x-undeclared:${prefix}`;

/**
 * Streaming RSS 2.0 / Atom parser: write text as it arrives, then `take()` the items that
 * closed meanwhile. Only the fields an episode needs are kept, so memory does not grow with
 * the document. Throws UsageError for XML that is not well-formed or is not a feed.
 */
export class FeedParser {
  /** The channel's (or Atom feed's) title as far as read; `itunes:title` when there is no plain one. */
  get feedTitle(): string | null {
    return this.title ?? this.itunesTitle;
  }

  private readonly sax = new SaxesParser<{ xmlns: true; resolvePrefix: ResolvePrefix }>({
    xmlns: true,
    resolvePrefix,
  });
  private readonly done: RawItem[] = [];
  private kind: 'rss' | 'atom' | undefined;
  private depth = 0;
  private inChannel = false;
  private item: RawItem | undefined;
  private count = 0;
  private capture: Capture | undefined;
  private title: string | null = null;
  private itunesTitle: string | null = null;
  private head = '';

  constructor(private readonly source: string) {
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
    if (local === 'rss' || local === 'feed') {
      this.kind = local === 'rss' ? 'rss' : 'atom';
      return;
    }
    throw this.notAFeed(`the document is <${name}>, expected <rss> or <feed>`);
  }

  private open(tag: SaxesTagNS): void {
    this.depth += 1;
    // Inside a captured field (Atom's type="xhtml" titles) children only contribute text.
    if (this.capture) return;
    const { local, uri } = tag;
    // RSS elements have no namespace; Atom's are in ATOM_NS, or in none when a feed forgets it.
    const plain = uri === '' || (this.kind === 'atom' && uri === ATOM_NS);
    const itunes = uri !== '' && ITUNES_NS.test(uri);
    const itemLevel = this.kind === 'atom' ? 2 : 3;
    if (this.kind === 'rss' && this.depth === 2) {
      this.inChannel = plain && local === 'channel';
    } else if (this.depth === itemLevel && (this.kind === 'atom' || this.inChannel)) {
      if (plain && local === (this.kind === 'atom' ? 'entry' : 'item')) this.startItem();
      else if (plain && local === 'title') this.captureInto((v) => (this.title ??= v));
      else if (itunes && local === 'title') this.captureInto((v) => (this.itunesTitle ??= v));
    } else if (this.item && this.depth === itemLevel + 1 && (plain || itunes)) {
      this.itemField(this.item, tag, `${itunes ? 'itunes' : this.kind}:${local}`);
    }
  }

  private itemField(item: RawItem, tag: SaxesTagNS, key: string): void {
    const attr = (name: string) => clean(tag.attributes[name]?.value ?? '');
    if (key === 'rss:enclosure') {
      item.enclosures.push({ url: attr('url'), type: attr('type') });
    } else if (key === 'atom:link') {
      if (attr('rel')?.toLowerCase() === 'enclosure')
        item.enclosures.push({ url: attr('href'), type: attr('type') });
    } else {
      const field = ITEM_FIELDS[key];
      if (field) this.captureInto((v) => (item[field] ??= v));
    }
  }

  private startItem(): void {
    this.count += 1;
    this.item = {
      index: this.count,
      title: null,
      itunesTitle: null,
      guid: null,
      published: null,
      updated: null,
      duration: null,
      enclosures: [],
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
    if (this.item && this.depth === (this.kind === 'atom' ? 2 : 3)) {
      this.done.push(this.item);
      this.item = undefined;
    }
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

/** Collapses whitespace runs (titles often wrap across lines); empty becomes null. */
function clean(text: string): string | null {
  const s = text.replace(/\s+/g, ' ').trim();
  return s === '' ? null : s;
}
