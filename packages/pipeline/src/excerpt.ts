// The text a file is tagged by. A support call states its reason early; a two-hour episode's
// topic is often not in its first minutes. So an excerpt is the beginning plus windows spread
// evenly through the rest, each cut at sentence (or else word) boundaries, within a token budget.

/** About four characters a token, as the gateway's pricing assumes. */
export const CHARS_PER_TOKEN = 4;

/** Estimated tokens of a text. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** Share of the budget given to the beginning of the transcript. */
const HEAD_SHARE = 0.4;
/** Characters of one window through the rest (about 150 tokens: a few sentences). */
const WINDOW_CHARS = 600;
/** How far a cut may move to land on a sentence boundary. */
const SNAP_CHARS = 160;
export const GAP = ' … ';

/** End of the sentence at or before `at` (within SNAP_CHARS), else the word boundary before it. */
function cutBefore(text: string, at: number, floor: number): number {
  if (at >= text.length) return text.length;
  const from = Math.max(floor, at - SNAP_CHARS);
  const window = text.slice(from, at);
  const sentence = Math.max(window.lastIndexOf('. '), window.lastIndexOf('? '), window.lastIndexOf('! '));
  if (sentence >= 0) return from + sentence + 1;
  const space = window.lastIndexOf(' ');
  return space >= 0 ? from + space : at;
}

/** Start of the sentence at or after `at` (within SNAP_CHARS), else the word boundary after it. */
function cutAfter(text: string, at: number, ceiling: number): number {
  if (at <= 0) return 0;
  const window = text.slice(at, Math.min(ceiling, at + SNAP_CHARS));
  const sentence = window.search(/[.?!] \S/);
  if (sentence >= 0) return at + sentence + 2;
  const space = window.indexOf(' ');
  return space >= 0 ? at + space + 1 : at;
}

/**
 * The excerpt of `text` within `budgetTokens` (0 = the whole text): the beginning, then
 * windows at evenly spaced points of the rest, joined by " … ". Text that fits is returned
 * whole (whitespace collapsed).
 */
export function makeExcerpt(text: string, budgetTokens: number): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (budgetTokens <= 0) return clean;
  const budget = budgetTokens * CHARS_PER_TOKEN;
  if (clean.length <= budget) return clean;

  const headEnd = cutBefore(clean, Math.floor(budget * HEAD_SHARE), 1);
  const head = clean.slice(0, headEnd).trim();
  const parts = [head];
  let left = budget - head.length;
  const windows = Math.max(1, Math.floor(left / (WINDOW_CHARS + GAP.length)));
  const size = Math.floor(left / windows) - GAP.length;
  const rest = clean.length - headEnd;
  let previousEnd = headEnd;
  for (let i = 0; i < windows && left > GAP.length; i++) {
    // Centre of the i-th of `windows` equal slices of the rest.
    const centre = headEnd + Math.floor(((i + 0.5) / windows) * rest);
    let start = Math.max(previousEnd, centre - Math.floor(size / 2));
    let end = Math.min(clean.length, start + size);
    start = cutAfter(clean, start, end);
    end = cutBefore(clean, end, start + 1);
    if (end - start < 20) continue;
    const piece = clean.slice(start, end).trim();
    if (piece.length + GAP.length > left) break;
    parts.push(piece);
    left -= piece.length + GAP.length;
    previousEnd = end;
  }
  return parts.join(GAP);
}

/** What is kept in Postgres of a completed transcript under STORE_TRANSCRIPTS (null: nothing). */
export function textRecord(
  text: string | null | undefined,
  tagging: { store: 'excerpt' | 'full' | 'none'; excerptTokens: number },
): { excerpt: string; excerptTokens: number; fullText: string | null; fullTokens: number } | null {
  if (tagging.store === 'none' || text == null) return null;
  const excerpt = makeExcerpt(text, tagging.excerptTokens);
  return {
    excerpt,
    excerptTokens: estimateTokens(excerpt),
    fullText: tagging.store === 'full' ? text : null,
    fullTokens: estimateTokens(text),
  };
}
