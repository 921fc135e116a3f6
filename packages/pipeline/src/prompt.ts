import type { Tag } from '@mediatag/db';

/** The literal placeholder AssemblyAI's gateway replaces with the transcript text. */
export const TRANSCRIPT_PLACEHOLDER = '{{ transcript }}';

/** One-line form of a tag for the prompt; newlines would break the list format. */
export function tagLine(tag: Tag): string {
  const description = tag.description.replace(/\s+/g, ' ').trim();
  return description ? `- ${tag.name}: ${description}` : `- ${tag.name}`;
}

/**
 * The tagging prompt, after AssemblyAI's topic-tagging guide: the tag list with its
 * descriptions, the transcript (injected by the gateway at the placeholder), and a request
 * for the tag name alone.
 */
export function buildPrompt(tags: Tag[]): string {
  return [
    'You are tagging a media transcript with exactly one topic.',
    'Tags:',
    ...tags.map(tagLine),
    '',
    'Transcript:',
    TRANSCRIPT_PLACEHOLDER,
    '',
    'Answer with the single most relevant tag name from the list, exactly as written, and nothing else.',
  ].join('\n');
}

/** The follow-up when an answer named no single tag. */
export function buildRepairPrompt(tags: Tag[], previous: string): string {
  return [
    buildPrompt(tags),
    '',
    `Your previous answer was not exactly one tag name: ${JSON.stringify(previous.slice(0, 200))}.`,
    `Reply with exactly one of these names and no other text: ${tags.map((t) => t.name).join(' | ')}`,
  ].join('\n');
}

/** What an answer meant. */
export type ParsedAnswer = { topic: string } | { topic: null; reason: string };

const norm = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Strips what models wrap a one-word answer in: code fences, markdown, quotes, labels, end punctuation. */
function unwrap(answer: string): string {
  let s = answer.trim();
  s = s.replace(/^```[\w-]*\s*|\s*```$/g, '');
  s = s.replace(/^(?:the\s+)?(?:topic|tag|answer|category|label)\s*(?:is)?\s*[:=-]?\s*/i, '');
  s = s.replace(/^[\s"'`*_#>\-[(]+|[\s"'`*_.!,;:)\]]+$/g, '');
  return s;
}

/**
 * Maps a model's answer to exactly one tag: exact or differently-cased names, names wrapped
 * in quotes/markdown/punctuation, "Topic: X", JSON like {"topic":"X"}, or a sentence naming
 * exactly one tag. Anything else, or two different tags, is unmatched (invariant 3 in
 * docs/ARCHITECTURE.md).
 */
export function parseAnswer(answer: string, tags: Tag[]): ParsedAnswer {
  if (!answer.trim()) return { topic: null, reason: 'empty answer' };
  const byName = new Map(tags.map((t) => [norm(t.name), t.name]));
  const json = tryJson(answer);
  if (json !== undefined) {
    const hit = byName.get(norm(json));
    return hit ? { topic: hit } : { topic: null, reason: 'JSON answer names no tag' };
  }
  const exact = byName.get(norm(unwrap(answer)));
  if (exact) return { topic: exact };
  // Longest names first, each match blanked out, so "Real Estate" is not also read as a
  // shorter tag it contains.
  let text = ` ${answer.toLowerCase()} `;
  const found = new Set<string>();
  for (const tag of [...tags].sort((a, b) => b.name.length - a.name.length)) {
    const re = new RegExp(
      `(?<![\\p{L}\\p{N}])${escapeRe(norm(tag.name)).replace(/ /g, '\\s+')}(?![\\p{L}\\p{N}])`,
      'giu',
    );
    if (re.test(text)) {
      found.add(tag.name);
      text = text.replace(re, ' ');
    }
  }
  if (found.size === 1) return { topic: [...found][0] as string };
  return {
    topic: null,
    reason: found.size === 0 ? 'answer names no tag' : `answer names ${found.size} tags`,
  };
}

function tryJson(answer: string): string | undefined {
  const s = answer
    .trim()
    .replace(/^```(?:json)?\s*|\s*```$/g, '')
    .trim();
  if (!s.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(s) as Record<string, unknown>;
    for (const key of ['topic', 'tag', 'label', 'category']) {
      if (typeof value[key] === 'string') return value[key];
    }
    return '';
  } catch {
    return undefined;
  }
}
