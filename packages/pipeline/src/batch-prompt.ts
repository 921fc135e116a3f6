import type { Tag } from '@mediatag/db';
import type { ResponseFormat } from '@mediatag/gateway';
import { tagLine } from './prompt.ts';

/** One file of a batched request: its short key in the prompt and the text it is tagged by. */
export interface BatchItem {
  key: string;
  text: string;
}

/** Short keys `f1`, `f2`, …: the model is shown keys, never our file ids. */
export function batchKeys(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `f${i + 1}`);
}

/**
 * The batched tagging prompt: the instructions and the tag list once, then each excerpt under
 * a `### <key>` header, and a request for one {key, topic} per transcript.
 */
export function buildBatchPrompt(tags: Tag[], items: BatchItem[]): string {
  return [
    `You are tagging ${items.length} media transcripts, each with exactly one topic.`,
    'Tags:',
    ...tags.map(tagLine),
    '',
    'Each transcript below starts with a line "### <key>".',
    '',
    ...items.flatMap((item) => [`### ${item.key}`, item.text, '']),
    'Answer with JSON {"answers": [{"key": ..., "topic": ...}]}: one item per transcript key, each topic exactly one tag name from the list.',
  ].join('\n');
}

/** Structured output: an array of {key, topic}, keys and topics each an enum. */
export function batchResponseFormat(tags: Tag[], keys: string[]): ResponseFormat {
  return {
    type: 'json_schema',
    json_schema: {
      name: 'topics',
      strict: true,
      schema: {
        type: 'object',
        properties: {
          answers: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                key: { type: 'string', enum: keys },
                topic: { type: 'string', enum: tags.map((t) => t.name) },
              },
              required: ['key', 'topic'],
              additionalProperties: false,
            },
          },
        },
        required: ['answers'],
        additionalProperties: false,
      },
    },
  };
}

/** The verdict on one key of a batched answer. */
export type ItemVerdict =
  | { key: string; ok: true; topic: string; raw: string }
  | { key: string; ok: false; reason: string; raw: string | null };

/**
 * Checks every item of a batched answer on its own. A key is accepted only when it appears
 * exactly once, is one we sent, and names a topic that is exactly a tag of the list; anything
 * else (missing, repeated or unknown key, a topic outside the list, an answer that is not the
 * JSON asked for) fails that key alone, and its file is asked for again by itself. A file is
 * therefore never given a topic that was not answered under its own key.
 */
export function checkBatchAnswer(content: string, keys: string[], tags: Tag[]): ItemVerdict[] {
  const names = new Set(tags.map((t) => t.name));
  const items = answerItems(content);
  const seen = new Map<string, unknown[]>();
  for (const item of items ?? []) {
    const key = (item as { key?: unknown } | null)?.key;
    if (typeof key !== 'string') continue;
    seen.set(key, [...(seen.get(key) ?? []), item]);
  }
  return keys.map((key): ItemVerdict => {
    if (items === undefined) return { key, ok: false, reason: 'answer is not the JSON asked for', raw: null };
    const found = seen.get(key) ?? [];
    const raw = found.length > 0 ? JSON.stringify(found.length === 1 ? found[0] : found) : null;
    if (found.length === 0) return { key, ok: false, reason: 'no answer for this file in the batch', raw };
    if (found.length > 1) return { key, ok: false, reason: 'key answered more than once', raw };
    const topic = (found[0] as { topic?: unknown }).topic;
    if (typeof topic !== 'string' || !names.has(topic))
      return { key, ok: false, reason: 'topic is not one of the tags', raw };
    return { key, ok: true, topic, raw: raw ?? topic };
  });
}

/** The `answers` array of a batched answer (code fences tolerated), or undefined. */
function answerItems(content: string): unknown[] | undefined {
  const s = content
    .trim()
    .replace(/^```(?:json)?\s*|\s*```$/g, '')
    .trim();
  try {
    const value: unknown = JSON.parse(s);
    if (Array.isArray(value)) return value;
    const answers = (value as { answers?: unknown } | null)?.answers;
    return Array.isArray(answers) ? answers : undefined;
  } catch {
    return undefined;
  }
}
