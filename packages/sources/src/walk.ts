import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';

/** Extensions sent to AssemblyAI as media; anything else in a folder is reported and skipped. */
export const MEDIA_EXTENSIONS = new Set([
  '.mp3',
  '.wav',
  '.m4a',
  '.aac',
  '.flac',
  '.ogg',
  '.oga',
  '.opus',
  '.wma',
  '.amr',
  '.aif',
  '.aiff',
  '.webm',
  '.mp4',
  '.m4v',
  '.mov',
  '.mkv',
  '.avi',
  '.mpeg',
  '.mpg',
  '.3gp',
]);

/** True when the path's extension is a known audio or video type. */
export function isMediaPath(path: string): boolean {
  return MEDIA_EXTENSIONS.has(extname(path).toLowerCase());
}

/** Every file under a folder (hidden entries skipped), in a stable order. */
export async function* walk(root: string): AsyncGenerator<string> {
  const entries = (await readdir(root, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(root, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}
