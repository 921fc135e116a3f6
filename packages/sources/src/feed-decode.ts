import { TextDecoder } from 'node:util';
import { UsageError } from '@mediatag/errors';

// Enough for a byte-order mark plus an XML declaration with a long encoding name.
const SNIFF_BYTES = 512;

/**
 * Turns a feed's bytes into text chunk by chunk, in the charset named by its byte-order mark
 * or XML declaration (UTF-8 when neither says). Invalid bytes become U+FFFD instead of
 * failing the whole feed over one bad title.
 */
export async function* decodeXml(chunks: AsyncIterable<Uint8Array>, label: string): AsyncGenerator<string> {
  let head: Uint8Array[] = [];
  let headSize = 0;
  let decoder: TextDecoder | undefined;
  for await (const chunk of chunks) {
    if (decoder) {
      const text = decoder.decode(chunk, { stream: true });
      if (text !== '') yield text;
      continue;
    }
    // The first bytes can arrive in pieces of any size; sniff once enough are in.
    head.push(chunk);
    headSize += chunk.byteLength;
    if (headSize < SNIFF_BYTES) continue;
    const bytes = Buffer.concat(head, headSize);
    head = [];
    decoder = decoderFor(bytes, label);
    yield decoder.decode(bytes, { stream: true });
  }
  if (decoder) {
    const tail = decoder.decode();
    if (tail !== '') yield tail;
    return;
  }
  const bytes = Buffer.concat(head, headSize);
  const text = decoderFor(bytes, label).decode(bytes);
  if (text !== '') yield text;
}

function decoderFor(head: Buffer, label: string): TextDecoder {
  const name = charsetOf(head);
  try {
    return new TextDecoder(name);
  } catch {
    throw new UsageError(`feed ${label}: unsupported character encoding "${name}"`);
  }
}

function charsetOf(head: Buffer): string {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const decl = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']/.exec(head.toString('latin1'));
  return decl?.[1] ?? 'utf-8';
}
