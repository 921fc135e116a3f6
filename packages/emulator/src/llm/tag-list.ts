/** One candidate tag found in a prompt. */
export interface PromptTag {
  name: string;
  description: string;
}

/** What the stand-in reads out of a prompt. */
export interface ParsedPrompt {
  tags: PromptTag[];
  /** The prompt with the tag list removed: the text to classify. */
  body: string;
}

// "- Sports: News and ..." or "* Sports: ...": the name runs up to the first ": ".
const BULLET = /^[ \t]*[-*][ \t]+(.+?):[ \t]+(.*\S)[ \t]*$/;

/** Find the tag list (bullet lines, or else a JSON object of name -> description) in a prompt. */
export function parsePrompt(prompt: string): ParsedPrompt {
  const tags: PromptTag[] = [];
  const kept: string[] = [];
  for (const line of prompt.split('\n')) {
    const match = BULLET.exec(line);
    const name = match?.[1]?.trim();
    if (match && name && name.length <= 80) {
      tags.push({ name, description: match[2] ?? '' });
    } else {
      kept.push(line);
    }
  }
  if (tags.length > 0) return { tags, body: kept.join('\n') };
  const json = findJsonTagObject(prompt);
  if (json) return { tags: json.tags, body: prompt.slice(0, json.start) + prompt.slice(json.end) };
  return { tags: [], body: prompt };
}

/** Text after a "Transcript:" line when the prompt has one, up to a final instruction line. */
export function transcriptSection(body: string): string {
  const marker = /^[ \t]*transcript[ \t]*:[ \t]*$/im.exec(body);
  if (!marker) return body;
  const after = body.slice(marker.index + marker[0].length);
  const answer = /\n[ \t]*\n[ \t]*(answer|respond|reply|return)\b[^\n]*\s*$/i.exec(after);
  return answer ? after.slice(0, answer.index) : after;
}

function findJsonTagObject(text: string): { tags: PromptTag[]; start: number; end: number } | null {
  for (let start = text.indexOf('{'); start !== -1; start = text.indexOf('{', start + 1)) {
    const end = matchingBrace(text, start);
    if (end === -1) continue;
    try {
      const value: unknown = JSON.parse(text.slice(start, end));
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const entries = Object.entries(value as Record<string, unknown>);
        if (entries.length >= 2 && entries.every(([, v]) => typeof v === 'string')) {
          return { tags: entries.map(([name, v]) => ({ name, description: String(v) })), start, end };
        }
      }
    } catch {
      // Not JSON after all (a brace inside prose); try the next one.
    }
  }
  return null;
}

/** Index just past the brace closing the one at `start`, skipping braces inside JSON strings. */
function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i + 1;
  }
  return -1;
}
