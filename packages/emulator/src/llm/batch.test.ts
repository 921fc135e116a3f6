import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import { MEDIA_TAXONOMY } from '../samples/index.ts';
import { batchedResponseFormat, batchedTaggingPrompt } from '../testing.ts';
import { answerBatch, batchSchemaOf, promptSections } from './batch.ts';
import { applyItemFaults, type BatchItemFaultKind, misspell } from './batch-faults.ts';

const TOPICS = Object.keys(MEDIA_TAXONOMY);
const EXCERPTS: Array<[string, string]> = [
  ['f1', 'The striker scored twice and the team won the championship final.'],
  ['f2', 'Parliament voted on the new election law after a long debate on government policy.'],
  ['f3', 'Stocks and bonds: how to invest for retirement and grow personal savings.'],
];
const KEYS = EXCERPTS.map(([k]) => k);

describe('batch schema', () => {
  const prompt = batchedTaggingPrompt(MEDIA_TAXONOMY, EXCERPTS);

  it('finds the array of items, the key enum and the topic enum', () => {
    expect(batchSchemaOf(batchedResponseFormat(KEYS, TOPICS), prompt)).toEqual({
      arrayKey: 'answers',
      keyField: 'key',
      topicField: 'topic',
      keys: KEYS,
      topics: TOPICS,
    });
  });

  it('tells keys from topics by what the prompt holds, whatever the property names', () => {
    const format = batchedResponseFormat(KEYS, TOPICS);
    const items = format.json_schema.schema.properties.answers.items;
    const renamed = {
      ...format,
      json_schema: {
        ...format.json_schema,
        schema: {
          type: 'object',
          properties: {
            results: {
              type: 'array',
              items: { ...items, properties: { label: items.properties.topic, ref: items.properties.key } },
            },
          },
        },
      },
    };
    expect(batchSchemaOf(renamed, prompt)).toMatchObject({
      arrayKey: 'results',
      keyField: 'ref',
      topicField: 'label',
    });
  });

  it('is null for single-answer schemas and other formats', () => {
    const single = {
      type: 'json_schema',
      json_schema: { name: 't', schema: { properties: { topic: { type: 'string' } } } },
    };
    expect(batchSchemaOf(single, prompt)).toBeNull();
    expect(batchSchemaOf(undefined, prompt)).toBeNull();
    expect(batchSchemaOf({ type: 'text' }, prompt)).toBeNull();
  });

  it('cuts each section at the next header and the last one before the closing instruction', () => {
    const sections = promptSections(prompt);
    expect([...sections.keys()]).toEqual(KEYS);
    expect(sections.get('f1')?.trim()).toBe(EXCERPTS[0]?.[1]);
    expect(sections.get('f3')?.trim()).toBe(EXCERPTS[2]?.[1]);
  });

  it('answers each section alone, and a key without a section deterministically', () => {
    const format = batchedResponseFormat([...KEYS, 'f4'], TOPICS);
    const schema = batchSchemaOf(format, prompt);
    if (!schema) throw new Error('no schema');
    const items = answerBatch(prompt, schema);
    expect(items.map((i) => [i.key, i.topic])).toEqual([
      ['f1', 'Sports'],
      ['f2', 'Politics'],
      ['f3', 'Finance'],
      ['f4', expect.any(String)],
    ]);
    expect(TOPICS).toContain(items[3]?.topic);
    expect(answerBatch(prompt, schema)[3]?.topic).toBe(items[3]?.topic);
    for (const item of items) expect(item.ranking[0]).toBe(item.topic);
  });
});

describe('batch item faults', () => {
  const schema = { arrayKey: 'answers', keyField: 'key', topicField: 'topic', keys: KEYS, topics: TOPICS };
  const items = [
    { key: 'f1', topic: 'Sports' },
    { key: 'f2', topic: 'Politics' },
    { key: 'f3', topic: 'Finance' },
  ];

  it('produces every kind at rate 1, each detectable by the worker', () => {
    const seen = new Map<BatchItemFaultKind, number>();
    const random = seededRandom(3);
    for (let round = 0; round < 40; round++) {
      const kinds: BatchItemFaultKind[] = [];
      const out = applyItemFaults(items, schema, 1, random, (k) => kinds.push(k));
      expect(kinds).toHaveLength(3);
      for (const k of kinds) seen.set(k, (seen.get(k) ?? 0) + 1);
      const keys = out.map((i) => i.key);
      const clean =
        out.length === KEYS.length &&
        new Set(keys).size === keys.length &&
        keys.every((k) => KEYS.includes(k)) &&
        out.every((i) => TOPICS.includes(i.topic));
      // A faulted batch never looks clean to a checker of keys and enums.
      expect(clean).toBe(false);
    }
    expect([...seen.keys()].sort()).toEqual(['duplicateKey', 'misspelledTopic', 'omitted', 'unknownKey']);
  });

  it("never gives a key that passes the checks another item's topic", () => {
    // Ten items, each topic once where the list allows, so a moved topic shows.
    const many = Array.from({ length: 10 }, (_, i) => ({
      key: `f${i + 1}`,
      topic: TOPICS[i % TOPICS.length] as string,
    }));
    const keys = many.map((i) => i.key);
    const wide = { ...schema, keys };
    for (let seed = 1; seed <= 3000; seed++) {
      const out = applyItemFaults(many, wide, 0.35, seededRandom(seed), () => {});
      const count = new Map<string, number>();
      for (const item of out) count.set(item.key, (count.get(item.key) ?? 0) + 1);
      for (const item of out) {
        // What the worker accepts: a known key, once, with a topic of the list.
        if (!keys.includes(item.key) || count.get(item.key) !== 1 || !TOPICS.includes(item.topic)) continue;
        expect(item.topic, `seed ${seed}, ${item.key}`).toBe(many.find((m) => m.key === item.key)?.topic);
      }
    }
  });

  it('leaves items alone at rate 0 and draws no random numbers', () => {
    let draws = 0;
    const out = applyItemFaults(
      items,
      schema,
      0,
      () => draws++ && 0.5,
      () => {},
    );
    expect(out).toEqual(items);
    expect(draws).toBe(0);
  });

  it('misspells into something no topic matches, even ignoring case', () => {
    const random = seededRandom(9);
    for (const topic of TOPICS) {
      const typo = misspell(topic, TOPICS, random);
      expect(TOPICS.map((t) => t.toLowerCase())).not.toContain(typo.toLowerCase());
    }
  });
});
