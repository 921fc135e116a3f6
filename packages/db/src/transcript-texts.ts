// The text kept for tagging (transcript_texts): an excerpt, or the whole text with
// STORE_TRANSCRIPTS=full; never the words.
import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import { param, prepared } from './statement.ts';
import type { TextRecord } from './transcripts.ts';

const STORED_EXCERPT = prepared(
  'transcript_texts/stored_excerpt',
  sql`SELECT excerpt FROM transcript_texts WHERE media_file_id = ${param('fileId')}`,
);

/** The file's stored tagging excerpt, or null when none was kept. */
export async function storedExcerpt(db: Db, fileId: number): Promise<string | null> {
  const { rows } = await STORED_EXCERPT.run<{ excerpt: string }>(db, { fileId });
  return rows[0]?.excerpt ?? null;
}

const SAVE_TEXT = prepared(
  'transcript_texts/save',
  sql`INSERT INTO transcript_texts (media_file_id, excerpt, excerpt_tokens, full_text, full_tokens)
     VALUES (${param('fileId')}, ${param('excerpt')}, ${param('excerptTokens')}, ${param('fullText')},
             ${param('fullTokens')})
     ON CONFLICT (media_file_id) DO UPDATE SET excerpt = EXCLUDED.excerpt,
       excerpt_tokens = EXCLUDED.excerpt_tokens, full_text = EXCLUDED.full_text, full_tokens = EXCLUDED.full_tokens`,
);

/** Keeps a transcript's tagging excerpt (and its whole text when asked), never its words. */
export async function saveTranscriptText(db: Db, fileId: number, t: TextRecord): Promise<void> {
  await SAVE_TEXT.run(db, { fileId, ...t });
}
