import type { Readable } from 'node:stream';

/** One line of input: its bytes, or `tooLong` when it passed the cap (its bytes are dropped). */
export type RawLine = { lineNo: number; bytes: Buffer; tooLong: false } | { lineNo: number; tooLong: true };

/**
 * Splits a byte stream into lines without decoding (so invalid UTF-8 can be reported per
 * line) and without ever holding more than `maxLineBytes` of one line: binary junk with no
 * newline costs constant memory, whatever its size.
 */
export async function* readLines(stream: Readable, maxLineBytes: number): AsyncGenerator<RawLine> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let lineNo = 0;
  const finish = (): RawLine => {
    lineNo += 1;
    const line: RawLine = tooLong
      ? { lineNo, tooLong: true }
      : { lineNo, bytes: stripCr(Buffer.concat(parts, size)), tooLong: false };
    parts = [];
    size = 0;
    tooLong = false;
    return line;
  };
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      const end = nl === -1 ? buf.length : nl;
      if (!tooLong) {
        if (size + (end - start) > maxLineBytes) {
          tooLong = true;
          parts = [];
          size = 0;
        } else if (end > start) {
          parts.push(buf.subarray(start, end));
          size += end - start;
        }
      }
      if (nl === -1) break;
      yield finish();
      start = nl + 1;
    }
  }
  if (size > 0 || tooLong) yield finish();
}

function stripCr(b: Buffer): Buffer {
  return b.length > 0 && b[b.length - 1] === 0x0d ? b.subarray(0, b.length - 1) : b;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes strictly; undefined for invalid UTF-8. Drops a leading byte-order mark. */
export function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return strictUtf8.decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return undefined;
  }
}
