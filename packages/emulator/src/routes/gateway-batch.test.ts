import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, type Emulator, type EmulatorOverrides, startEmulator } from '../index.ts';
import { PRESET_TAXONOMIES, type PresetTaxonomyName, SAMPLES } from '../samples/index.ts';
import { batchedResponseFormat, batchedTaggingPrompt, client, taggingPrompt } from '../testing.ts';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

async function start(options: EmulatorOverrides = {}) {
  emu = await startEmulator({ timeScale: 0, gateway: { requestsPerMinute: null }, ...options });
  return { emu, api: client(emu.url) };
}

const MODEL = 'claude-haiku-4-5-20251001';

/** Batches of up to `size` samples of one taxonomy, keyed f1, f2, ... within each batch. */
function batches(taxonomy: PresetTaxonomyName, size: number) {
  const samples = SAMPLES.filter((s) => s.taxonomy === taxonomy);
  const out: Array<{ prompt: string; keys: string[]; expected: Map<string, string> }> = [];
  for (let i = 0; i < samples.length; i += size) {
    const chunk = samples.slice(i, i + size);
    const keys = chunk.map((_, j) => `f${j + 1}`);
    out.push({
      prompt: batchedTaggingPrompt(
        PRESET_TAXONOMIES[taxonomy],
        chunk.map((s, j) => [keys[j] as string, s.text]),
      ),
      keys,
      expected: new Map(chunk.map((s, j) => [keys[j] as string, s.expectedTopic])),
    });
  }
  return out;
}

function parseAnswers(content: string): Array<{ key: string; topic: string }> {
  return JSON.parse(content).answers;
}

describe('batched tagging', () => {
  it('answers every key with its own script topic, item by item, over the whole sample library', async () => {
    const { emu, api } = await start({ faults: { batchItemFaultRate: 0 } });
    let calls = 0;
    let items = 0;
    for (const taxonomy of ['media', 'support-calls'] as const) {
      const topics = Object.keys(PRESET_TAXONOMIES[taxonomy]);
      for (const batch of batches(taxonomy, 7)) {
        const reply = await api.post('/v1/chat/completions', {
          model: MODEL,
          messages: [{ role: 'user', content: batch.prompt }],
          response_format: batchedResponseFormat(batch.keys, topics),
          max_tokens: 1000,
        });
        expect(reply.status).toBe(200);
        expect(reply.body.choices[0].finish_reason).toBe('stop');
        const answers = parseAnswers(reply.body.choices[0].message.content);
        expect(answers.map((a) => a.key)).toEqual(batch.keys);
        for (const a of answers) expect(a.topic, `${taxonomy} ${a.key}`).toBe(batch.expected.get(a.key));
        expect(reply.body.usage.input_tokens).toBe(Math.ceil(batch.prompt.length / 4));
        calls++;
        items += batch.keys.length;
      }
    }
    expect(items).toBe(SAMPLES.length);
    expect(emu.stats()).toMatchObject({
      gatewayBatchedCalls: calls,
      gatewayBatchedItems: items,
      gatewayCalls: calls,
    });
  });

  it('still answers a key whose section is missing, with a listed topic', async () => {
    const { api } = await start({ faults: { batchItemFaultRate: 0 } });
    const [batch] = batches('media', 2);
    if (!batch) throw new Error('no samples');
    const topics = Object.keys(PRESET_TAXONOMIES.media);
    const reply = await api.post('/v1/chat/completions', {
      model: MODEL,
      prompt: batch.prompt,
      response_format: batchedResponseFormat([...batch.keys, 'f9'], topics),
    });
    const answers = parseAnswers(reply.body.choices[0].message.content);
    expect(answers.map((a) => a.key)).toEqual([...batch.keys, 'f9']);
    expect(topics).toContain(answers[2]?.topic);
  });

  it('damages items at batchItemFaultRate (default 0.02) and counts every kind', async () => {
    expect(DEFAULT_OPTIONS.faults.batchItemFaultRate).toBe(0.02);
    const { emu, api } = await start({ seed: 5, faults: { batchItemFaultRate: 1 } });
    const topics = Object.keys(PRESET_TAXONOMIES.media);
    for (const batch of batches('media', 5)) {
      const reply = await api.post('/v1/chat/completions', {
        model: MODEL,
        prompt: batch.prompt,
        response_format: batchedResponseFormat(batch.keys, topics),
      });
      const answers = parseAnswers(reply.body.choices[0].message.content);
      const keys = answers.map((a) => a.key);
      const clean =
        keys.length === batch.keys.length &&
        new Set(keys).size === keys.length &&
        keys.every((k) => batch.keys.includes(k)) &&
        answers.every((a) => topics.includes(a.topic));
      expect(clean).toBe(false);
    }
    const { batchItemFaults, faultsInjected } = emu.stats();
    expect(batchItemFaults.omitted).toBeGreaterThan(0);
    expect(batchItemFaults.misspelledTopic).toBeGreaterThan(0);
    expect(batchItemFaults.duplicateKey).toBeGreaterThan(0);
    expect(batchItemFaults.unknownKey).toBeGreaterThan(0);
    const total = Object.values(batchItemFaults).reduce((a, b) => a + b, 0);
    expect(total).toBe(30);
    expect(faultsInjected.batchItem).toBe(30);
  });

  it('flips answers to the runner-up tag at answerFlipRate, batched and single', async () => {
    const { emu, api } = await start({ faults: { batchItemFaultRate: 0, answerFlipRate: 1 } });
    const topics = Object.keys(PRESET_TAXONOMIES.media);
    const [batch] = batches('media', 6);
    if (!batch) throw new Error('no samples');
    const reply = await api.post('/v1/chat/completions', {
      model: MODEL,
      prompt: batch.prompt,
      response_format: batchedResponseFormat(batch.keys, topics),
    });
    const answers = parseAnswers(reply.body.choices[0].message.content);
    expect(answers.map((a) => a.key)).toEqual(batch.keys);
    for (const a of answers) {
      expect(topics).toContain(a.topic);
      expect(a.topic).not.toBe(batch.expected.get(a.key));
    }
    const sample = SAMPLES.find((s) => s.taxonomy === 'media');
    const single = await api.post('/v1/chat/completions', {
      model: MODEL,
      prompt: taggingPrompt(PRESET_TAXONOMIES.media, sample?.text),
    });
    const content = single.body.choices[0].message.content;
    expect(topics).toContain(content);
    expect(content).not.toBe(sample?.expectedTopic);
    expect(emu.stats().faultsInjected.answerFlip).toBe(batch.keys.length + 1);
  });

  it('leaves single-file answers exactly as before, whatever the batch item fault rate', async () => {
    const { emu, api } = await start({ faults: { batchItemFaultRate: 1 } });
    for (const sample of SAMPLES) {
      const reply = await api.post('/v1/chat/completions', {
        model: MODEL,
        prompt: taggingPrompt(PRESET_TAXONOMIES[sample.taxonomy], sample.text),
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'tag', schema: { type: 'object', properties: { topic: { type: 'string' } } } },
        },
      });
      expect(JSON.parse(reply.body.choices[0].message.content), sample.id).toEqual({
        topic: sample.expectedTopic,
      });
    }
    expect(emu.stats()).toMatchObject({ gatewayBatchedCalls: 0, faultsInjected: { batchItem: 0 } });
  });
});
