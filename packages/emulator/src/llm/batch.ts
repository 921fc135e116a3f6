// Batched tagging, answered the way a model constrained by a JSON schema would: the schema names
// the answer's shape (an array of {key, topic} objects) and the allowed values (enums of keys
// and of topics); the prompt holds one section per key under a "### <key>" line. Each section
// is scored alone by the lexical stand-in, so a batch answers exactly what N single requests would.

import { hash32 } from '../core/random.ts';
import { scoreTags } from './lexical-stand-in.ts';
import { type PromptTag, parsePrompt } from './tag-list.ts';

/** Where the answers go in the schema, and the values it allows. */
export interface BatchSchema {
  /** The array property holding one object per item. */
  arrayKey: string;
  /** The item property whose enum lists the keys. */
  keyField: string;
  /** The item property whose enum lists the topics. */
  topicField: string;
  keys: string[];
  topics: string[];
}

/** One answered item; `ranking` is every topic best first (the answer flip takes the runner-up). */
export interface BatchItem {
  key: string;
  topic: string;
  ranking: string[];
}

const HEADER = /^###[ \t]+(.+?)[ \t]*$/;
// The closing instruction paragraph after the last section ("Answer with JSON ...").
const INSTRUCTION = /\n[ \t]*\n[ \t]*(answer|respond|reply|return)\b/gi;

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => !!v && typeof v === 'object' && !Array.isArray(v);

function stringEnum(property: unknown): string[] | null {
  if (!isObject(property) || (property.type !== undefined && property.type !== 'string')) return null;
  const values = property.enum;
  return Array.isArray(values) && values.length > 0 && values.every((v) => typeof v === 'string')
    ? values
    : null;
}

/** Keys of the `### <key>` lines of a prompt. */
function headerKeys(prompt: string): Set<string> {
  const keys = new Set<string>();
  for (const line of prompt.split('\n')) {
    const key = HEADER.exec(line)?.[1];
    if (key !== undefined) keys.add(key);
  }
  return keys;
}

/**
 * The batch shape of a json_schema response_format, or null when it has none: an array property
 * whose items have (at least) two string properties with an enum. The key enum is the one whose
 * values head the prompt's sections, the topic enum the one matching its tag list; property
 * names (`key`/`id`, `topic`/`tag`) break ties, as they would for a model reading the schema.
 */
export function batchSchemaOf(responseFormat: unknown, prompt: string): BatchSchema | null {
  if (!isObject(responseFormat) || responseFormat.type !== 'json_schema') return null;
  const jsonSchema = responseFormat.json_schema;
  const schema = isObject(jsonSchema) ? jsonSchema.schema : undefined;
  const properties = isObject(schema) && isObject(schema.properties) ? schema.properties : {};
  const headers = headerKeys(prompt);
  const tagNames = new Set(parsePrompt(prompt).tags.map((t) => t.name));
  for (const [arrayKey, property] of Object.entries(properties)) {
    if (!isObject(property) || property.type !== 'array' || !isObject(property.items)) continue;
    const itemProperties = property.items.properties;
    if (!isObject(itemProperties)) continue;
    const enums = Object.entries(itemProperties).flatMap(([name, p]) => {
      const values = stringEnum(p);
      return values ? [{ name, values }] : [];
    });
    if (enums.length < 2) continue;
    const best = (candidates: typeof enums, found: Set<string>, hint: RegExp) =>
      candidates.reduce((a, b) => (score(b, found, hint) > score(a, found, hint) ? b : a));
    const key = best(enums, headers, /^(key|id|file)/i);
    const topic = best(
      enums.filter((e) => e !== key),
      tagNames,
      /^(topic|tag|label|categor)/i,
    );
    return { arrayKey, keyField: key.name, topicField: topic.name, keys: key.values, topics: topic.values };
  }
  return null;
}

function score(candidate: { name: string; values: string[] }, found: Set<string>, hint: RegExp): number {
  return candidate.values.filter((v) => found.has(v)).length * 2 + (hint.test(candidate.name) ? 1 : 0);
}

/** The text under each `### <key>` line, up to the next `### ` line or the closing instruction. */
export function promptSections(prompt: string): Map<string, string> {
  const lines = prompt.split('\n');
  const starts: Array<{ key: string; line: number }> = [];
  lines.forEach((line, index) => {
    const key = HEADER.exec(line)?.[1];
    if (key !== undefined) starts.push({ key, line: index });
  });
  const sections = new Map<string, string>();
  starts.forEach(({ key, line }, i) => {
    const next = starts[i + 1];
    let text = lines.slice(line + 1, next ? next.line : lines.length).join('\n');
    if (!next) {
      const instruction = [...text.matchAll(INSTRUCTION)].pop();
      if (instruction) text = text.slice(0, instruction.index);
    }
    // A key repeated in the prompt keeps its first section.
    if (!sections.has(key)) sections.set(key, text);
  });
  return sections;
}

/**
 * Answer every key of the schema, in the enum's order. Tag descriptions come from the prompt's
 * bullet lines when present; a key whose section is missing still gets a (deterministic) topic.
 */
export function answerBatch(prompt: string, schema: BatchSchema): BatchItem[] {
  const described = new Map(parsePrompt(prompt).tags.map((t) => [t.name, t.description]));
  const tags: PromptTag[] = schema.topics.map((name) => ({ name, description: described.get(name) ?? '' }));
  const sections = promptSections(prompt);
  return schema.keys.map((key) => {
    const text = sections.get(key);
    const scores = text === undefined ? [] : scoreTags(tags, text);
    const best = scores[0];
    const topic =
      best && best.score > 0
        ? best.tag
        : (schema.topics[hash32(`${key}\n${text ?? ''}`) % schema.topics.length] ?? '');
    const ranking = scores.length > 0 ? scores.map((s) => s.tag) : [...schema.topics];
    return { key, topic, ranking: [topic, ...ranking.filter((t) => t !== topic)] };
  });
}

/** The message content: `{"<arrayKey>": [{"<keyField>": ..., "<topicField>": ...}, ...]}`. */
export function renderBatch(
  schema: BatchSchema,
  items: ReadonlyArray<{ key: string; topic: string }>,
): string {
  return JSON.stringify({
    [schema.arrayKey]: items.map((item) => ({
      [schema.keyField]: item.key,
      [schema.topicField]: item.topic,
    })),
  });
}
