import { describe, expect, it } from 'vitest';
import { batchKeys, batchResponseFormat, buildBatchPrompt, checkBatchAnswer } from './batch-prompt.ts';

const tags = [
  { name: 'Sports', description: 'games and athletes' },
  { name: 'Politics', description: 'elections and government' },
  { name: 'Real Estate', description: 'homes and mortgages' },
];
const keys = batchKeys(4);
const answer = (items: unknown[]) => JSON.stringify({ answers: items });

describe('batched prompt', () => {
  it('lists the tags once and each excerpt under its key, with an enum schema of keys and topics', () => {
    const prompt = buildBatchPrompt(tags, [
      { key: 'f1', text: 'The match went to extra time.' },
      { key: 'f2', text: 'Mortgage rates fell.' },
    ]);
    expect(prompt.match(/- Sports: games and athletes/g)).toHaveLength(1);
    expect(prompt).toContain('### f1\nThe match went to extra time.\n');
    expect(prompt).toContain('### f2\nMortgage rates fell.\n');
    const format = batchResponseFormat(tags, ['f1', 'f2']);
    expect(format).toMatchObject({ type: 'json_schema', json_schema: { strict: true } });
    const item = (
      format as unknown as { json_schema: { schema: { properties: { answers: { items: unknown } } } } }
    ).json_schema.schema.properties.answers.items;
    expect(item).toMatchObject({
      properties: { key: { enum: ['f1', 'f2'] }, topic: { enum: ['Sports', 'Politics', 'Real Estate'] } },
      required: ['key', 'topic'],
    });
  });
});

describe('checkBatchAnswer: a file never receives another file’s topic', () => {
  it('maps answers by key, whatever their order', () => {
    const verdicts = checkBatchAnswer(
      answer([
        { key: 'f3', topic: 'Real Estate' },
        { key: 'f1', topic: 'Sports' },
        { key: 'f4', topic: 'Politics' },
        { key: 'f2', topic: 'Politics' },
      ]),
      keys,
      tags,
    );
    expect(verdicts.map((v) => (v.ok ? v.topic : null))).toEqual([
      'Sports',
      'Politics',
      'Real Estate',
      'Politics',
    ]);
  });

  it('fails only the keys that are missing, repeated, unknown or off the list', () => {
    const verdicts = checkBatchAnswer(
      answer([
        { key: 'f1', topic: 'Sports' },
        { key: 'f2', topic: 'Politics' },
        { key: 'f2', topic: 'Sports' }, // repeated key: neither answer is trusted
        { key: 'f9', topic: 'Sports' }, // unknown key: ignored
        { key: 'f4', topic: 'Sprots' }, // not a tag
      ]),
      keys,
      tags,
    );
    expect(verdicts).toEqual([
      { key: 'f1', ok: true, topic: 'Sports', raw: '{"key":"f1","topic":"Sports"}' },
      expect.objectContaining({ key: 'f2', ok: false, reason: 'key answered more than once' }),
      { key: 'f3', ok: false, reason: 'no answer for this file in the batch', raw: null },
      expect.objectContaining({ key: 'f4', ok: false, reason: 'topic is not one of the tags' }),
    ]);
  });

  it('accepts a topic only exactly as the tag is written', () => {
    const [v] = checkBatchAnswer(answer([{ key: 'f1', topic: 'sports' }]), ['f1'], tags);
    expect(v).toMatchObject({ ok: false, reason: 'topic is not one of the tags' });
  });

  it('fails every key of an answer that is not the JSON asked for, and tolerates code fences', () => {
    expect(checkBatchAnswer('Sports', keys, tags).every((v) => !v.ok)).toBe(true);
    expect(checkBatchAnswer('{"answers": "Sports"}', keys, tags).every((v) => !v.ok)).toBe(true);
    const fenced = checkBatchAnswer(
      '```json\n{"answers":[{"key":"f1","topic":"Politics"}]}\n```',
      ['f1'],
      tags,
    );
    expect(fenced[0]).toMatchObject({ ok: true, topic: 'Politics' });
  });
});
