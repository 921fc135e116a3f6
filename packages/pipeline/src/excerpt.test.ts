import { describe, expect, it } from 'vitest';
import { CHARS_PER_TOKEN, estimateTokens, GAP, makeExcerpt, textRecord } from './excerpt.ts';

/** A transcript of `n` numbered sentences, so a test can tell where each part came from. */
function sentences(n: number): string {
  return Array.from(
    { length: n },
    (_, i) => `Sentence number ${i} talks about subject ${i % 7} at length.`,
  ).join(' ');
}

describe('makeExcerpt', () => {
  it('returns a text that fits whole, whitespace collapsed, and the whole text for budget 0', () => {
    expect(makeExcerpt('  Hello   there.\n\nBye.  ', 100)).toBe('Hello there. Bye.');
    const long = sentences(2000);
    expect(makeExcerpt(long, 0)).toBe(long);
  });

  it('keeps the beginning and evenly spaced windows through the rest, within the budget', () => {
    const text = sentences(2000); // ~120,000 characters
    const excerpt = makeExcerpt(text, 2000);
    expect(excerpt.length).toBeLessThanOrEqual(2000 * CHARS_PER_TOKEN);
    expect(excerpt.length).toBeGreaterThan(2000 * CHARS_PER_TOKEN * 0.8);
    expect(excerpt.startsWith('Sentence number 0 talks')).toBe(true);
    const parts = excerpt.split(GAP);
    expect(parts.length).toBeGreaterThan(5);
    // Every part is whole sentences: starts a sentence, ends one.
    for (const part of parts) {
      expect(part).toMatch(/^Sentence number \d+/);
      expect(part).toMatch(/\.$/);
    }
    // The windows reach the last tenth of the transcript, in order.
    const numbers = parts.map((p) => Number(/^Sentence number (\d+)/.exec(p)?.[1]));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(Math.max(...numbers)).toBeGreaterThan(1800);
  });

  it('falls back to word boundaries when a text has no sentence ends', () => {
    const words = Array.from({ length: 20_000 }, (_, i) => `word${i}`).join(' ');
    const excerpt = makeExcerpt(words, 500);
    expect(excerpt.length).toBeLessThanOrEqual(500 * CHARS_PER_TOKEN);
    for (const part of excerpt.split(GAP)) expect(part).toMatch(/^word\d+( word\d+)*$/);
  });

  it('an hour-long episode costs at most a quarter of its tokens with the default budget', () => {
    // About 150 spoken words a minute, 60 minutes.
    const hour = Array.from({ length: 9000 }, (_, i) => (i % 15 === 14 ? 'done.' : `word${i % 50}`)).join(
      ' ',
    );
    const record = textRecord(hour, { store: 'excerpt', excerptTokens: 2000 });
    expect(record?.excerptTokens).toBeLessThanOrEqual(2000);
    expect(record?.fullText).toBeNull();
    expect((record?.excerptTokens ?? 0) / estimateTokens(hour)).toBeLessThanOrEqual(0.25);
  });
});

describe('textRecord', () => {
  it('keeps nothing with STORE_TRANSCRIPTS=none, the whole text with full', () => {
    expect(textRecord('Some text.', { store: 'none', excerptTokens: 2000 })).toBeNull();
    expect(textRecord('Some text.', { store: 'full', excerptTokens: 2000 })).toEqual({
      excerpt: 'Some text.',
      excerptTokens: 3,
      fullText: 'Some text.',
      fullTokens: 3,
    });
  });
});
