import { describe, expect, it } from 'vitest';
import { type ChatMessage, injectTranscript, placeholderIndex } from './inject.ts';

describe('injectTranscript', () => {
  const messages: ChatMessage[] = [
    { role: 'system', content: 'Tag topics. Use {{transcript}} style? No.' },
    { role: 'user', content: 'A: {{ transcript }} B: {{ transcript }}' },
    { role: 'user', content: 'again {{ transcript }}' },
  ];

  it('replaces only the first literal placeholder of the first message containing it', () => {
    const out = injectTranscript(messages, 'HELLO');
    expect(out.map((m) => m.content)).toEqual([
      'Tag topics. Use {{transcript}} style? No.',
      'A: HELLO B: {{ transcript }}',
      'again {{ transcript }}',
    ]);
  });

  it('does not mutate its input and keeps other fields', () => {
    const before = structuredClone(messages);
    const out = injectTranscript(messages, 'x');
    expect(messages).toEqual(before);
    expect(out[1]).toMatchObject({ role: 'user' });
    expect(out[0]).toBe(messages[0]);
  });

  it('inserts text verbatim, even replacement patterns', () => {
    const out = injectTranscript([{ role: 'user', content: '[{{ transcript }}]' }], "cost $& and $' and $1");
    expect(out[0]?.content).toBe("[cost $& and $' and $1]");
  });

  it('leaves messages without the exact placeholder alone', () => {
    const plain: ChatMessage[] = [{ role: 'user', content: '{{transcript}} {{ Transcript }}' }];
    expect(placeholderIndex(plain)).toBe(-1);
    expect(injectTranscript(plain, 'x')).toEqual(plain);
  });
});
