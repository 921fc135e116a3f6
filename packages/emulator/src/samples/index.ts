import { createHash } from 'node:crypto';
import { MEDIA_SCRIPTS_A } from './scripts-media-a.ts';
import { MEDIA_SCRIPTS_B } from './scripts-media-b.ts';
import { SUPPORT_CALL_SCRIPTS } from './scripts-support-calls.ts';
import type { PresetTaxonomyName } from './taxonomies.ts';
import type { SampleEpisode, SampleIndexEntry, SampleScript } from './types.ts';

export {
  MEDIA_TAXONOMY,
  PRESET_TAXONOMIES,
  type PresetTaxonomyName,
  SUPPORT_CALLS_TAXONOMY,
  type Taxonomy,
} from './taxonomies.ts';
export type { SampleEpisode, SampleIndexEntry } from './types.ts';

// Conversational English runs at roughly 150 words a minute.
const WORDS_PER_SECOND = 2.5;

function build(scripts: readonly SampleScript[], taxonomy: PresetTaxonomyName): SampleEpisode[] {
  const perTopic = new Map<string, number>();
  return scripts.map((script) => {
    const n = (perTopic.get(script.expectedTopic) ?? 0) + 1;
    perTopic.set(script.expectedTopic, n);
    const slug = script.expectedTopic.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const words = script.text.split(/\s+/).length;
    return {
      ...script,
      id: `${slug}-${String(n).padStart(2, '0')}`,
      taxonomy,
      durationSeconds: Math.ceil(words / WORDS_PER_SECOND),
    };
  });
}

/** The built-in library: 30 media segments and 10 support calls, every preset tag covered twice. */
export const SAMPLES: readonly SampleEpisode[] = [
  ...build([...MEDIA_SCRIPTS_A, ...MEDIA_SCRIPTS_B], 'media'),
  ...build(SUPPORT_CALL_SCRIPTS, 'support-calls'),
];

const BY_ID = new Map(SAMPLES.map((s) => [s.id, s]));

/** The sample with this id, if any. */
export function sampleById(id: string): SampleEpisode | undefined {
  return BY_ID.get(id);
}

// `/samples/<id>.<ext>` at the end of a path, whatever the host, prefix or query string.
const SAMPLE_PATH = /\/samples\/([A-Za-z0-9_-]+)\.[A-Za-z0-9]{2,5}$/;

/** The sample an audio URL's path points at (`.../samples/sports-01.mp3?copy=3`), if any. */
export function sampleForPath(pathname: string): SampleEpisode | undefined {
  const id = SAMPLE_PATH.exec(pathname)?.[1];
  return id === undefined ? undefined : BY_ID.get(id);
}

/** The index.json entries, with URLs on the given base (e.g. the emulator's own URL). */
export function sampleIndex(baseUrl: string): SampleIndexEntry[] {
  return SAMPLES.map((s) => ({
    id: s.id,
    url: `${baseUrl}/samples/${s.id}.mp3`,
    title: s.title,
    taxonomy: s.taxonomy,
    expectedTopic: s.expectedTopic,
    durationSeconds: s.durationSeconds,
  }));
}

/**
 * Bytes served as a sample's "audio". NOT real audio: a tag naming the sample then deterministic
 * filler, so downloads, sizes and checksums are stable; the emulator never decodes it.
 */
export function samplePayload(sample: SampleEpisode, ext: 'mp3' | 'wav'): Buffer {
  const label = Buffer.from(`mediatag emulator sample ${sample.id} (${ext}); not real audio\n`);
  const head = ext === 'wav' ? Buffer.from('RIFF\0\0\0\0WAVE') : Buffer.from('ID3\x04\0\0\0\0\0\0');
  const filler: Buffer[] = [];
  let block = createHash('sha256').update(sample.id).digest();
  for (let i = 0; i < 64; i++) {
    filler.push(block);
    block = createHash('sha256').update(block).digest();
  }
  return Buffer.concat([head, label, ...filler]);
}
