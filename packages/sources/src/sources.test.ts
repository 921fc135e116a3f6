import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvItems, type Item } from './sources.ts';

async function read(csv: string): Promise<Item[]> {
  const items: Item[] = [];
  for await (const item of csvItems(Readable.from([Buffer.from(csv)]), 'calls.csv')) items.push(item);
  return items;
}

describe('csvItems', () => {
  it('reads a duration column as the file’s length and keeps it in the metadata', async () => {
    const items = await read(
      'url,Duration,agent\nhttps://a.example/1.mp3,754,ann\nhttps://a.example/2.mp3,1:02:03,bob\nhttps://a.example/3.mp3,,cy\n',
    );
    expect(
      items.map((i) => (i.kind === 'url' ? [i.url, i.durationS, i.metadata?.Duration] : i.kind)),
    ).toEqual([
      ['https://a.example/1.mp3', 754, '754'],
      ['https://a.example/2.mp3', 3723, '1:02:03'],
      ['https://a.example/3.mp3', null, ''],
    ]);
  });

  it('keeps a file whose duration is in another form (no length), and refuses one out of range', async () => {
    const items = await read(
      'url,duration\nhttps://a.example/1.mp3,5 min\nhttps://a.example/2.mp3,99999999999\n',
    );
    expect(items[0]).toMatchObject({ kind: 'url', url: 'https://a.example/1.mp3', durationS: null });
    expect(items[1]).toMatchObject({
      kind: 'rejected',
      reason: 'duration "99999999999" is out of range (over 2147483647 seconds)',
      origin: { source: 'calls.csv', line: 3 },
    });
  });

  it('gives no length without a duration column', async () => {
    const items = await read('url,length\nhttps://a.example/1.mp3,754\n');
    expect(items[0]).toMatchObject({ kind: 'url', durationS: null, metadata: { length: '754' } });
  });
});
