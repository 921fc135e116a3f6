import { describe, expect, it } from 'vitest';
import { buildPrompt, buildRepairPrompt, parseAnswer, TRANSCRIPT_PLACEHOLDER } from './prompt.ts';

const tags = [
  { name: 'Sports', description: 'News and updates on athletic events.' },
  { name: 'Business', description: 'Markets.' },
  { name: 'Real Estate', description: 'Property markets.' },
  { name: 'Billing and Payments', description: 'Invoices.' },
  { name: 'Health', description: 'Medical news.' },
];

describe('buildPrompt', () => {
  it('lists every tag with its description and holds the placeholder once', () => {
    const prompt = buildPrompt(tags);
    expect(prompt).toContain('- Sports: News and updates on athletic events.');
    expect(prompt).toContain('- Billing and Payments: Invoices.');
    expect(prompt.split(TRANSCRIPT_PLACEHOLDER)).toHaveLength(2);
    expect(buildRepairPrompt(tags, 'dunno')).toContain('Sports | Business | Real Estate');
  });
});

describe('parseAnswer', () => {
  it.each([
    ['Sports', 'Sports'],
    ['sports', 'Sports'],
    ['  SPORTS\n', 'Sports'],
    ['"Sports"', 'Sports'],
    ['**Sports**', 'Sports'],
    ['`Real Estate`.', 'Real Estate'],
    ['Topic: Business', 'Business'],
    ['The topic is: Health.', 'Health'],
    ['Tag - Billing and Payments', 'Billing and Payments'],
    ['billing  and\npayments', 'Billing and Payments'],
    ['```\nSports\n```', 'Sports'],
    ['{"topic": "Real Estate"}', 'Real Estate'],
    ['```json\n{"tag":"health"}\n```', 'Health'],
    ['The most relevant tag here is Sports, given the match coverage.', 'Sports'],
    ['I would pick Real Estate.', 'Real Estate'],
  ])('%j → %s', (answer, topic) => {
    expect(parseAnswer(answer, tags)).toEqual({ topic });
  });

  it.each([
    ['', 'empty answer'],
    ['Cooking', 'answer names no tag'],
    ['Sports or Business', 'answer names 2 tags'],
    ['{"topic": "Cooking"}', 'JSON answer names no tag'],
    ['Sportsmanship', 'answer names no tag'],
    ['I cannot determine the topic of this transcript.', 'answer names no tag'],
  ])('%j is unmatched (%s)', (answer, reason) => {
    expect(parseAnswer(answer, tags)).toEqual({ topic: null, reason });
  });
});
