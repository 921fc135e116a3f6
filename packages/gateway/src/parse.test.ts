import { describe, expect, it } from 'vitest';
import { parseRateLimit, parseUsage } from './parse.ts';

describe('parseUsage', () => {
  it.each([
    [
      { input_tokens: 10, output_tokens: 2, total_tokens: 12 },
      { inputTokens: 10, outputTokens: 2, totalTokens: 12 },
    ],
    [
      { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
      { inputTokens: 10, outputTokens: 2, totalTokens: 12 },
    ],
    [
      { prompt_tokens: 3, completion_tokens: 4 },
      { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
    ],
    [undefined, { inputTokens: 0, outputTokens: 0, totalTokens: 0 }],
  ])('%j', (usage, expected) => {
    expect(parseUsage(usage)).toEqual(expected);
  });
});

describe('parseRateLimit', () => {
  it('needs all three headers', () => {
    const full = { 'x-ratelimit-limit': '30', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '12' };
    expect(parseRateLimit(full)).toEqual({ limit: 30, remaining: 0, resetMs: 12_000 });
    expect(parseRateLimit({ 'x-ratelimit-limit': '30' })).toBeUndefined();
    expect(parseRateLimit({ ...full, 'x-ratelimit-remaining': 'many' })).toBeUndefined();
  });
});
