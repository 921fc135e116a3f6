import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '@mediatag/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FeedOptions, type FeedRecord, feedEpisodes } from './feed.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const OPTIONS: FeedOptions = { maxBytes: 1024 * 1024 };

async function collect(source: string, options: FeedOptions = OPTIONS): Promise<FeedRecord[]> {
  const out: FeedRecord[] = [];
  for await (const record of feedEpisodes(source, options)) out.push(record);
  return out;
}

async function failure(source: string, options: FeedOptions = OPTIONS): Promise<Error> {
  try {
    await collect(source, options);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`expected ${source} to fail`);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mediatag-feed-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('feedEpisodes on an RSS 2.0 podcast', () => {
  const source = join(FIXTURES, 'podcast-rss.xml');

  it('yields each item with iTunes durations, dates, entities and CDATA decoded', async () => {
    const records = await collect(source);
    expect(records.map((r) => r.origin)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((line) => ({ source, line })));
    const [first, second, third] = records;
    expect(first).toEqual({
      kind: 'episode',
      url: 'https://media.example.org/tidepool/001.mp3',
      title: 'Episode 1: Kelp Forests',
      guid: 'tidepool-001',
      publishedAt: new Date('2025-01-06T09:30:00Z'),
      durationS: 3723,
      feedTitle: 'The Tidepool Hour',
      feedUrl: resolve(source),
      enclosureType: 'audio/mpeg',
      origin: { source, line: 1 },
    });
    expect(second).toMatchObject({
      title: 'Crabs & Barnacles: <Live> from the pier',
      durationS: 42 * 60 + 7,
      publishedAt: new Date('2025-01-13T13:00:00Z'),
      enclosureType: 'audio/x-m4a',
    });
    // The PDF enclosure listed first is skipped in favour of the video one.
    expect(third).toMatchObject({
      title: 'Sea Stars & Urchins \u2014 Q&A with Dr. Ruiz \u201925',
      url: 'https://media.example.org/tidepool/003.mp4',
      enclosureType: 'video/mp4',
      durationS: 3723,
      publishedAt: new Date('2025-01-22T02:15:00Z'),
    });
  });

  it('rejects items without audio, with a PDF, a repeated guid or a bad URL', async () => {
    const rejected = (await collect(source)).filter((r) => r.kind === 'rejected');
    expect(rejected.map((r) => [r.origin.line, r.reason])).toEqual([
      [4, 'no audio enclosure'],
      [5, 'enclosure type application/pdf is not audio or video'],
      [6, 'duplicate guid'],
      [7, 'unsupported scheme "ftp:" (only http and https)'],
    ]);
  });

  it('falls back to itunes:title, accepts an untyped enclosure and canonicalises its URL', async () => {
    const last = (await collect(source)).at(-1);
    expect(last).toMatchObject({
      kind: 'episode',
      url: 'https://media.example.org/tidepool/bonus.mp3?src=rss',
      title: 'Bonus: Low Tide Walk',
      guid: null,
      publishedAt: null,
      durationS: null,
      enclosureType: null,
    });
  });
});

describe('feedEpisodes on an Atom feed', () => {
  it('reads enclosure links, ids, dates and a renamed iTunes prefix', async () => {
    const source = join(FIXTURES, 'podcast-atom.xml');
    const records = await collect(source);
    expect(records).toEqual([
      {
        kind: 'episode',
        url: 'https://cdn.example.net/nightshift/ep1.ogg',
        title: 'Call-in hour: insomnia stories',
        guid: 'urn:uuid:0b6f2c1e-1d2a-4a5b-8c3d-9e8f7a6b5c41',
        publishedAt: new Date('2025-02-03T21:00:00Z'),
        durationS: 1500,
        feedTitle: 'Night Shift Radio',
        feedUrl: resolve(source),
        enclosureType: 'audio/ogg',
        origin: { source, line: 1 },
      },
      expect.objectContaining({
        title: 'Dawn patrol',
        url: 'https://cdn.example.net/nightshift/ep2.mp3',
        publishedAt: new Date('2025-02-10T20:00:00Z'),
        durationS: 3600,
      }),
      {
        kind: 'rejected',
        reason: 'no audio enclosure',
        guid: 'urn:uuid:0b6f2c1e-1d2a-4a5b-8c3d-9e8f7a6b5c43',
        origin: { source, line: 3 },
      },
    ]);
  });
});

describe('feedEpisodes refuses what is not a feed', () => {
  it('reports malformed XML with its position', async () => {
    const source = join(FIXTURES, 'malformed.xml');
    const error = await failure(source);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      `feed ${source} is not well-formed XML (line 8, column 12: unexpected close tag)`,
    );
  });

  it('recognises an HTML page, even one that is not XML', async () => {
    const source = join(FIXTURES, 'html-page.txt');
    const error = await failure(source);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(`feed ${source} is not an RSS or Atom feed: it looks like an HTML page`);
  });

  it('names the root element of a well-formed non-feed', async () => {
    const source = join(dir, 'page.xhtml');
    await writeFile(
      source,
      '<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
    );
    const error = await failure(source);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(
      /is not an RSS or Atom feed: the document is <html>, expected <rss> or <feed>/,
    );
  });

  it('rejects a missing file, a folder and a non-http scheme', async () => {
    for (const [source, message] of [
      [join(dir, 'nope.xml'), /no such file/],
      [dir, /is a folder/],
      ['ftp://feeds.example.com/podcast.xml', /unsupported scheme "ftp:"/],
    ] as const) {
      const error = await failure(source);
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toMatch(message);
    }
  });

  it('stops at the size cap on a local file', async () => {
    const source = join(FIXTURES, 'podcast-rss.xml');
    const error = await failure(source, { maxBytes: 1000 });
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(`feed ${source} is larger than 1000 bytes`);
  });
});

describe('feedEpisodes decoding', () => {
  it('honours the encoding named in the XML declaration', async () => {
    const source = join(dir, 'latin1.xml');
    const xml =
      '<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><title>Caf\u00e9 Cr\u00e8me</title>' +
      '<item><title>\u00c9t\u00e9</title><enclosure url="https://media.example.org/ete.mp3"/></item></channel></rss>';
    await writeFile(source, Buffer.from(xml, 'latin1'));
    const [record] = await collect(source);
    expect(record).toMatchObject({
      kind: 'episode',
      title: '\u00c9t\u00e9',
      feedTitle: 'Caf\u00e9 Cr\u00e8me',
    });
  });

  it('keeps an unknown named entity as written instead of failing the feed', async () => {
    const source = join(dir, 'entity.xml');
    await writeFile(
      source,
      '<rss><channel><item><title>Tom &madeup; Jerry &hellip;</title>' +
        '<enclosure url="https://media.example.org/t.mp3" type="audio/mpeg"/></item></channel></rss>',
    );
    const [record] = await collect(source);
    expect(record).toMatchObject({ title: 'Tom &madeup; Jerry \u2026' });
  });
});

describe('feedEpisodes on shapes real feeds carry', () => {
  const source = join(FIXTURES, 'real-world-rss.xml');
  const summary = (records: FeedRecord[]) =>
    records.map((r) =>
      r.kind === 'episode'
        ? [r.origin.line, r.url, r.durationS, r.enclosureType]
        : [r.origin.line, r.guid, r.reason],
    );

  it('reads whitespace before the declaration, rounds durations, takes x- and generic types by extension and resolves xml:base', async () => {
    expect(summary(await collect(source))).toEqual([
      [1, 'https://cdn.example.org/harbour/1.mp3', 1015, 'audio/mpeg'],
      [2, 'https://cdn.example.org/harbour/2.mp3', 3724, 'x-audio/mpeg'],
      [3, 'https://cdn.example.org/harbour/3.m4a', 2527, 'audio/x-m4a'],
      [4, 'https://cdn.example.org/harbour/4.MP3?token=abc', null, 'application/octet-stream'],
      [5, 'harbour-5', 'enclosure type binary/octet-stream and no audio or video extension in its URL'],
      [6, 'https://cdn.example.org/harbour/media/6.mp3', null, 'audio/mpeg'],
      [7, 'https://cdn.example.org/harbour/season-2/7.mp3', null, 'audio/mpeg'],
      [8, 'harbour-8', 'duration "99999999999" is out of range (over 2147483647 seconds)'],
      [9, 'https://cdn.example.org/harbour/9.mp4', 9, 'x-video/mp4'],
    ]);
  });

  it('accepts a newline, spaces and a BOM before the XML declaration', async () => {
    const path = join(dir, 'bom-newline.xml');
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?><rss><channel><title>T</title>' +
      '<item><enclosure url="https://media.example.org/x.mp3"/></item></channel></rss>';
    await writeFile(path, `\uFEFF\r\n \t${xml}`);
    expect(await collect(path)).toMatchObject([{ kind: 'episode', url: 'https://media.example.org/x.mp3' }]);
  });

  it('reads Media RSS media:content, also inside media:group, when there is no enclosure', async () => {
    const path = join(FIXTURES, 'media-rss.xml');
    expect(summary(await collect(path))).toEqual([
      [1, 'https://media.example.org/tides/1.mp3', 1800, 'audio/mpeg'],
      [2, 'https://media.example.org/tides/2-low.m4a', 601, null],
      [3, 'tides-3', 'media:content medium image is not audio or video'],
      [4, 'https://media.example.org/tides/4.ogg', null, 'application/octet-stream'],
    ]);
  });

  it('reads RSS 1.0 items, and names RSS 1.0 when an item carries no media', async () => {
    const path = join(FIXTURES, 'rss1.xml');
    const records = await collect(path);
    expect(records[0]).toEqual({
      kind: 'episode',
      url: 'https://radio.example.jp/audio/1.mp3',
      title: 'Episode one',
      guid: 'https://radio.example.jp/ep/1',
      publishedAt: new Date('2025-03-01T00:00:00Z'),
      durationS: null,
      feedTitle: 'Radio Sakana',
      feedUrl: resolve(path),
      enclosureType: 'audio/mpeg',
      origin: { source: path, line: 1 },
    });
    expect(summary(records.slice(1))).toEqual([
      [2, 'https://radio.example.jp/audio/2.m4a', null, 'audio/mp4'],
      [
        3,
        'https://radio.example.jp/ep/3',
        'no audio enclosure (an RSS 1.0 item without enc:enclosure or <enclosure>)',
      ],
    ]);
  });

  it('rejects relative enclosure URLs in a local file unless xml:base gives a base', async () => {
    const path = join(FIXTURES, 'relative-atom.xml');
    expect(summary(await collect(path))).toEqual([
      [
        1,
        'rel-1',
        'relative enclosure URL "../ep1.mp3" and no base URL to resolve it against (a local feed file has none: use absolute URLs or xml:base)',
      ],
      [
        2,
        'rel-2',
        'relative enclosure URL "/audio/ep2.mp3" and no base URL to resolve it against (a local feed file has none: use absolute URLs or xml:base)',
      ],
      [3, 'https://cdn.example.net/relative/ep3.mp3', null, 'audio/mpeg'],
    ]);
  });
});
