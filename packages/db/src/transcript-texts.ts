// The text kept for tagging (transcript_texts): an excerpt, or the whole text with
// STORE_TRANSCRIPTS=full; never the words.
import type { Db } from './client.ts';
import { run } from './statement.ts';
import type { TextRecord } from './transcripts.ts';

/** The file's stored tagging excerpt, or null when none was kept. */
export async function storedExcerpt(db: Db, fileId: number): Promise<string | null> {
  const { rows } = await run<{ excerpt: string }>(
    db,
    'transcript_texts/stored_excerpt',
    'SELECT excerpt FROM transcript_texts WHERE media_file_id = $1',
    [fileId],
  );
  return rows[0]?.excerpt ?? null;
}

/** Keeps a transcript's tagging excerpt (and its whole text when asked), never its words. */
export async function saveTranscriptText(db: Db, fileId: number, t: TextRecord): Promise<void> {
  await run(
    db,
    'transcript_texts/save',
    `INSERT INTO transcript_texts (media_file_id, excerpt, excerpt_tokens, full_text, full_tokens)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (media_file_id) DO UPDATE SET excerpt = EXCLUDED.excerpt,
       excerpt_tokens = EXCLUDED.excerpt_tokens, full_text = EXCLUDED.full_text, full_tokens = EXCLUDED.full_tokens`,
    [fileId, t.excerpt, t.excerptTokens, t.fullText, t.fullTokens],
  );
}
