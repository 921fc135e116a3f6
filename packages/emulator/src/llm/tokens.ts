// Word handling for the lexical stand-in: lowercase tokens, stop words out, a light stemmer so
// that "political"/"politics" or "investments"/"invest" meet. Not Porter: just enough suffix rules,
// applied identically to tag descriptions and transcripts, for overlap to be meaningful.

const STOP_WORDS = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being ' +
    'below between both but by can could did do does doing down during each few for from further had has ' +
    'have having he her here hers herself him himself his how i if in into is it its itself just me more ' +
    'most my myself no nor not now of off on once only or other our ours ourselves out over own same she ' +
    'should so some such than that the their theirs them themselves then there these they this those ' +
    'through to too under until up very was we were what when where which while who whom why will with ' +
    'would you your yours yourself yourselves ok okay yes yeah um uh oh well really right thing things ' +
    'get got going go gonna lot lots let us one two three first next back still even much many every ' +
    'today say said says know think like want need make made see look just thank thanks hello hi ' +
    'please sure great good new way time year years week day people' +
    // Words of the tagging instructions themselves, which would otherwise pull every answer
    // towards the tags whose descriptions happen to say "topics" or "related".
    ' tag tags topic topics transcript answer relevant list name single exactly written nothing else ' +
    'media various related information focusing content'
  ).split(' '),
);

/** Reduce a lowercase word to a crude stem; the same rules run on both sides of every comparison. */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 3 && w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  if (w.length > 5 && w.endsWith('ly')) w = w.slice(0, -2);
  if (w.length > 6 && w.endsWith('ial')) w = w.slice(0, -3);
  else if (w.length > 6 && w.endsWith('al')) w = w.slice(0, -2);
  if (w.length > 7 && w.endsWith('ment')) w = w.slice(0, -4);
  if (w.length > 5 && w.endsWith('er')) w = w.slice(0, -2);
  if (w.length > 5 && w.endsWith('ic')) w = w.slice(0, -2);
  if (w.length > 4 && w.endsWith('y')) w = w.slice(0, -1);
  if (w.length > 4 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

// The same tag descriptions and sample texts come back in every request: the stems of short
// texts are kept (at most 1,000 of 8,000 characters, the oldest dropped first), so the
// emulator's own CPU does not crowd the pipeline it stands in for on a small machine.
const MEMO_LIMIT = 1000;
const MEMO_MAX_CHARS = 8000;
const memo = new Map<string, readonly string[]>();

/** Content-bearing stems of a text, in order, repeats kept (term frequency matters). */
export function contentStems(text: string): readonly string[] {
  const known = memo.get(text);
  if (known) return known;
  const out = stemsOf(text);
  if (text.length > MEMO_MAX_CHARS) return out;
  memo.set(text, out);
  if (memo.size > MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
  return out;
}

function stemsOf(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().split(/[^a-z0-9']+/)) {
    const word = raw.replace(/'s$/, '').replace(/'/g, '');
    if (word.length < 2 || STOP_WORDS.has(word) || /^\d+$/.test(word)) continue;
    out.push(stem(word));
  }
  return out;
}
