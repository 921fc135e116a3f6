// Local files uploaded to AssemblyAI: one `media_files` row per distinct content (sha256).
import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';

/** The URL of the file already holding this content (sha256 hex), if any. */
export async function urlOfContent(db: Db, contentHash: string): Promise<string | undefined> {
  const { rows } = await db.execute<{ url: string }>(
    sql`SELECT url FROM media_files WHERE content_hash = ${contentHash}`,
  );
  return rows[0]?.url;
}

/**
 * Records an upload as a file of its own (`source = 'upload'`). False when a row with this
 * content or URL exists already: another enqueue recorded the same content first.
 */
export async function recordUpload(
  db: Db,
  u: { uploadUrl: string; localPath: string; contentHash: string },
): Promise<boolean> {
  const { rows } = await db.execute<{ url: string }>(sql`
    INSERT INTO media_files (url, source, local_path, content_hash)
    VALUES (${u.uploadUrl}, 'upload', ${u.localPath}, ${u.contentHash})
    ON CONFLICT DO NOTHING RETURNING url`);
  return rows.length > 0;
}
