import { describe, expect, it } from 'vitest';
import { parseConfigSpecs } from './config.ts';
import { parseGold } from './gold.ts';

const tags = ['Sports', 'Real Estate'];

describe('parseGold', () => {
  it('reads url or transcript_id with a topic, in any header case, topics spelled as the tag', () => {
    const labels = parseGold(
      'URL,Topic,notes\nhttps://a/1.mp3,sports,x\nhttps://a/2.mp3,real estate\n',
      tags,
    );
    expect(labels[0]).toEqual({ line: 2, url: 'https://a/1.mp3', transcriptId: null, topic: 'Sports' });
    expect(() => parseGold('url,topic\n,Sports\n', tags)).toThrow(/line 2: no url or transcript_id/);
    const byId = parseGold('transcript_id,topic\nabc,Real Estate\n', tags);
    expect(byId).toEqual([{ line: 2, url: null, transcriptId: 'abc', topic: 'Real Estate' }]);
  });

  it('refuses a label outside the list, a file labelled twice, and a header without the columns', () => {
    expect(() => parseGold('url,topic\nhttps://a/1.mp3,Cooking\n', tags)).toThrow(
      /line 2: "Cooking" is not a tag/,
    );
    expect(() => parseGold('url,topic\nhttps://a/1.mp3,Sports\nhttps://a/1.mp3,Sports\n', tags)).toThrow(
      /line 3: labelled already on line 2/,
    );
    expect(() => parseGold('file,label\nx,Sports\n', tags)).toThrow(/header needs/);
  });
});

describe('parseConfigSpecs', () => {
  it('NAME[=KEY=VALUE,…]; none given is the current settings', () => {
    expect(parseConfigSpecs([])).toEqual([{ name: 'current', overrides: {} }]);
    expect(
      parseConfigSpecs(['one=TAG_BATCH_SIZE=1', 'b10=TAG_BATCH_SIZE=10,TAG_EXCERPT_TOKENS=500', 'now']),
    ).toEqual([
      { name: 'one', overrides: { TAG_BATCH_SIZE: '1' } },
      { name: 'b10', overrides: { TAG_BATCH_SIZE: '10', TAG_EXCERPT_TOKENS: '500' } },
      { name: 'now', overrides: {} },
    ]);
    expect(() => parseConfigSpecs(['x=FOO=1'])).toThrow(/KEY one of/);
    expect(() => parseConfigSpecs(['a', 'a'])).toThrow(/twice/);
  });
});
