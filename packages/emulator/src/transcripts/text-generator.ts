// Deterministic stand-in speech for audio the emulator has no script for: sentences built from a
// fixed vocabulary, seeded by a hash of the URL (or the upload's sha256), so the same input always
// yields the same words and each text leans on one topic, as a real recording would.

import { pickOne, type Random } from '../core/random.ts';

const TOPIC_WORDS: readonly (readonly string[])[] = [
  ['the match', 'the team', 'the coach', 'the season', 'the athletes', 'the league', 'the final score'],
  ['the election', 'the government', 'the new policy', 'parliament', 'the senator', 'the political debate'],
  ['the new movie', 'the album', 'the television series', 'the concert', 'the celebrity interview'],
  ['the new software', 'the gadget', 'the tech update', 'the smartphone', 'the chip maker'],
  ['the medical study', 'the hospital', 'wellness', 'the doctors', 'sleep and health'],
  ['the markets', 'the company strategy', 'the industry', 'the merger', 'business owners'],
  ['the research', 'the scientific discovery', 'the laboratory', 'the experiment', 'the telescope'],
  ['the students', 'the university', 'learning', 'the teachers', 'the academic program'],
  ['travel destinations', 'the flight', 'tourism', 'the hotel', 'travel tips'],
  ['fashion', 'home decor', 'the recipe', 'food', 'personal interests'],
  ['climate change', 'conservation', 'the environment', 'pollution', 'the wetlands'],
  ['personal finance', 'investments', 'interest rates', 'savings', 'the economic outlook'],
  ['the new car', 'the auto industry', 'electric cars', 'transportation', 'the car review'],
  ['home prices', 'the property market', 'real estate', 'buying a home', 'selling homes'],
  ['cultural heritage', 'traditions', 'culture', 'social norms', 'the festival'],
  ['my account', 'the login page', 'account access', 'the password reset', 'user accounts'],
  ['the software bug', 'the hardware', 'troubleshooting', 'the driver update', 'technical support'],
  ['the invoice', 'my payment', 'the subscription plan', 'billing', 'the refund'],
  ['the product features', 'the pricing', 'product capabilities', 'the product demo', 'the free trial'],
  ['the outage', 'the service interruption', 'service availability', 'the disruption', 'slow performance'],
];

const GENERIC = ['our listeners', 'the city', 'next year', 'most families', 'the weekend', 'everyone here'];

const TEMPLATES: readonly string[] = [
  'Today we talk about {a} and what it means for {b}.',
  'Let me start with {a}.',
  'A lot of people asked us about {a} this week.',
  'Our guest knows more about {a} than anyone I have met.',
  'There was real news on {a} over the last few days.',
  'Some worry about {a}, others about {b}.',
  'We will come back to {a} after a short break.',
  'So the question is how {a} will change {b}.',
  'I think {a} deserves a closer look.',
  'That is the part of {a} nobody explains well.',
  'Here is what we learned about {a} and {b}.',
  'Honestly, {a} surprised me.',
];

/** Text and duration invented for a URL or upload the emulator has no script for. */
export interface GeneratedAudio {
  text: string;
  durationSeconds: number;
}

/**
 * Generate 60-300 words and a 30-3600 s duration from a seeded PRNG. With `wordsPerMinute`,
 * the text is as long as that much speech of the duration (an hour at 150 words a minute is
 * 9,000 words), for measuring what a full transcript costs to send to an LLM.
 */
export function generateAudio(random: Random, wordsPerMinute?: number): GeneratedAudio {
  const topic = pickOne(TOPIC_WORDS, random);
  const short = 60 + Math.floor(random() * 241);
  const words: string[] = [];
  let target = short;
  const fill = () => {
    while (words.length < target) {
      const template = pickOne(TEMPLATES, random);
      const sentence = template
        .replace('{a}', pickOne(topic, random))
        .replace('{b}', random() < 0.5 ? pickOne(topic, random) : pickOne(GENERIC, random));
      words.push(...sentence.split(' '));
    }
  };
  fill();
  // The short text and the duration are drawn exactly as without wordsPerMinute.
  const durationSeconds = durationFrom(random);
  if (wordsPerMinute !== undefined && wordsPerMinute > 0) {
    target = Math.max(short, Math.round((durationSeconds * wordsPerMinute) / 60));
    fill();
  }
  const kept = words.slice(0, target);
  const last = kept.length - 1;
  kept[last] = `${(kept[last] ?? '').replace(/[.,?!]+$/, '')}.`;
  const text = kept.join(' ');
  return { text: text.charAt(0).toUpperCase() + text.slice(1), durationSeconds };
}

/** Skewed towards typical lengths: short clips, 3-15 min calls, 15-60 min podcast episodes. */
export function durationFrom(random: Random): number {
  const kind = random();
  const u = random();
  if (kind < 0.15) return 30 + Math.floor(u * 150);
  if (kind < 0.55) return 180 + Math.floor(u * 720);
  return 900 + Math.floor(u * 2701);
}
