import { open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { feedEpisodes } from './feed.ts';

const ITEMS = 60_000;
const path = join(tmpdir(), `mediatag-large-feed-${process.pid}-${Date.now()}.xml`);

afterAll(async () => {
  await rm(path, { force: true });
});

// About 870 bytes an item, so 60,000 items make a ~50 MB feed, the size of a long-running show.
const NOTES = 'Listener questions about tides, kelp and the creatures between them. '.repeat(8);
function item(n: number): string {
  return (
    `<item><title>Episode ${n}: notes &amp; news</title><guid>large-${n}</guid>` +
    `<pubDate>Mon, 06 Jan 2025 09:30:00 +0000</pubDate><itunes:duration>${n % 90}:30</itunes:duration>` +
    `<description><![CDATA[<p>${NOTES}</p>]]></description>` +
    `<enclosure url="https://media.example.org/large/${n}.mp3" length="1234567" type="audio/mpeg"/></item>\n`
  );
}

/** Writes the feed a batch at a time, so the test itself never holds the document either. */
async function writeLargeFeed(): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.write(
      '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" ' +
        'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>Large</title>\n',
    );
    for (let start = 1; start <= ITEMS; start += 1000) {
      let batch = '';
      for (let n = start; n < start + 1000; n += 1) batch += item(n);
      await file.write(batch);
    }
    await file.write('</channel></rss>\n');
  } finally {
    await file.close();
  }
}

describe('feedEpisodes on a large feed', () => {
  it('parses a ~50 MB file item by item with flat memory', async () => {
    await writeLargeFeed();
    const size = (await stat(path)).size;
    expect(size).toBeGreaterThan(48 * 1024 * 1024);

    const before = process.memoryUsage().rss;
    let peak = before;
    let episodes = 0;
    let last: unknown;
    for await (const record of feedEpisodes(path, { maxBytes: 100 * 1024 * 1024 })) {
      if (record.kind !== 'episode') throw new Error(`unexpected rejection: ${record.reason}`);
      episodes += 1;
      last = record;
      if (episodes % 1000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    expect(episodes).toBe(ITEMS);
    expect(last).toMatchObject({
      title: `Episode ${ITEMS}: notes & news`,
      durationS: (ITEMS % 90) * 60 + 30,
    });
    // Holding the document would cost well over 100 MB (50 MB of UTF-16 text plus objects).
    expect(peak - before).toBeLessThan(100 * 1024 * 1024);
  });
});
