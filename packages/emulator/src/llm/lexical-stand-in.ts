// A STAND-IN FOR AN LLM, not a model. The emulator's gateway must answer tagging prompts the way
// a capable model would (one tag name from the list), deterministically and in microseconds, so
// this module scores each tag's name + description against the transcript with plain lexical
// overlap (TF x IDF across the tag descriptions). It knows nothing beyond the words it is shown.

import { hash32, pickOne, type Random } from '../core/random.ts';
import { type PromptTag, parsePrompt, transcriptSection } from './tag-list.ts';
import { contentStems } from './tokens.ts';

/** The stand-in's reply and how it got there (scores help tests explain a miss). */
export interface StandInAnswer {
  content: string;
  /** The chosen tag, or null when the prompt had no tag list. */
  tag: string | null;
  scores: Array<{ tag: string; score: number }>;
}

// A tag's own name is the strongest hint a reader has; descriptions add supporting vocabulary.
const NAME_WEIGHT = 3;

/** Score every tag against `text` and return them best first (ties keep list order). */
export function scoreTags(tags: readonly PromptTag[], text: string): Array<{ tag: string; score: number }> {
  const vectors = tags.map((tag) => {
    const weights = new Map<string, number>();
    for (const s of contentStems(tag.name)) weights.set(s, (weights.get(s) ?? 0) + NAME_WEIGHT);
    for (const s of contentStems(tag.description)) weights.set(s, (weights.get(s) ?? 0) + 1);
    return weights;
  });
  const documentFrequency = new Map<string, number>();
  for (const vector of vectors) {
    for (const term of vector.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  }
  const termFrequency = new Map<string, number>();
  for (const s of contentStems(text)) termFrequency.set(s, (termFrequency.get(s) ?? 0) + 1);

  const scored = tags.map((tag, index) => {
    const vector = vectors[index] ?? new Map<string, number>();
    let score = 0;
    for (const [term, weight] of vector) {
      const tf = termFrequency.get(term);
      if (!tf) continue;
      const idf = Math.log(1 + tags.length / (documentFrequency.get(term) ?? 1));
      score += Math.log(1 + tf) * weight * idf;
    }
    // Longer descriptions would otherwise win by having more words to match.
    return { tag: tag.name, score: score / Math.sqrt(Math.max(1, vector.size)), index };
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.map(({ tag, score }) => ({ tag, score }));
}

/**
 * Answer a chat prompt. `transcriptText` is the text the gateway injected for `transcript_id`
 * (preferred); otherwise the text is taken from the prompt itself, minus the tag list.
 */
export function answerPrompt(prompt: string, transcriptText?: string): StandInAnswer {
  const { tags, body } = parsePrompt(prompt);
  const text = transcriptText ?? transcriptSection(body);
  if (tags.length === 0) {
    const words = contentStems(text).slice(0, 6);
    const content =
      words.length > 0
        ? `This text is mainly about ${words.slice(0, 3).join(', ')}.`
        : 'There is not enough text here to say what it is about.';
    return { content, tag: null, scores: [] };
  }
  const scores = scoreTags(tags, text);
  const best = scores[0];
  // No overlap at all: a real model would still pick something; pick deterministically by text.
  const chosen =
    best && best.score > 0 ? best.tag : (tags[hash32(text) % tags.length] as PromptTag | undefined)?.name;
  return { content: chosen ?? '', tag: chosen ?? null, scores };
}

/** A wrong-shaped answer for fault injection: junk prose, or two tag names at once. */
export function garbageAnswer(prompt: string, random: Random): string {
  const names = parsePrompt(prompt).tags.map((t) => t.name);
  const first = names.length > 0 ? pickOne(names, random) : 'Other';
  const second = names.length > 1 ? (names.find((n) => n !== first) ?? first) : 'Miscellaneous';
  const shapes = [
    `${first}, ${second}`,
    `I think this could be ${first} or maybe ${second}.`,
    'As an AI language model, I cannot determine the topic of this recording.',
    '{"topic": null}',
    'Unclear. Possibly several of these.',
  ];
  return pickOne(shapes, random);
}
