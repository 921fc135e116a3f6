import { UsageError } from '@mediatag/errors';
import { sql } from 'drizzle-orm';
import type { Db } from './client.ts';
import type { Tag } from './schema.ts';

/** A taxonomy version as stored. */
export interface TaxonomyRow {
  id: number;
  name: string;
  version: number;
  tags: Tag[];
  createdAt: Date;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Checks a tag list before it is stored. Names are compared case-insensitively because the
 * tagger matches answers that way: "billing" must not be able to mean two tags.
 */
export function validateTags(tags: Tag[]): Tag[] {
  if (tags.length === 0) throw new UsageError('a taxonomy needs at least one tag');
  if (tags.length > 200) throw new UsageError(`a taxonomy holds at most 200 tags (got ${tags.length})`);
  const seen = new Set<string>();
  return tags.map(({ name, description }, i) => {
    const clean = name.trim();
    if (!clean) throw new UsageError(`tag ${i + 1} has an empty name`);
    if (clean.length > 100 || /[\r\n\t]/.test(clean)) {
      throw new UsageError(`tag "${clean.slice(0, 40)}" must be one line of at most 100 characters`);
    }
    if (seen.has(clean.toLowerCase())) throw new UsageError(`tag "${clean}" appears twice`);
    seen.add(clean.toLowerCase());
    if (description.length > 2000)
      throw new UsageError(`the description of "${clean}" is over 2000 characters`);
    return { name: clean, description: description.trim().replace(/\s+/g, ' ') };
  });
}

function toRow(r: Record<string, unknown>): TaxonomyRow {
  return {
    id: Number(r.id),
    name: String(r.name),
    version: Number(r.version),
    tags: r.tags as Tag[],
    createdAt: new Date(String(r.created_at)),
  };
}

/**
 * Stores a tag list as the next version of `name`, unless the latest version already has
 * exactly these tags. Serialised per name by an advisory lock so versions never collide.
 */
export async function addTaxonomy(
  db: Db,
  name: string,
  tags: Tag[],
): Promise<{ taxonomy: TaxonomyRow; created: boolean }> {
  if (!NAME_RE.test(name)) {
    throw new UsageError(`taxonomy name "${name}" must be 1-64 letters, digits, ".", "_" or "-"`);
  }
  const clean = validateTags(tags);
  return db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`taxonomy:${name}`}))`);
    const json = JSON.stringify(clean);
    const latest = await tx.execute(sql`
      SELECT id, name, version, tags, created_at,
             checksum = encode(sha256(convert_to(${json}::jsonb::text, 'UTF8')), 'hex') AS same
      FROM taxonomies WHERE name = ${name} ORDER BY version DESC LIMIT 1`);
    const current = latest.rows[0];
    if (current?.same) return { taxonomy: toRow(current), created: false };
    const inserted = await tx.execute(sql`
      INSERT INTO taxonomies (name, version, tags, checksum)
      VALUES (${name}, ${current ? Number(current.version) + 1 : 1}, ${json}::jsonb,
              encode(sha256(convert_to(${json}::jsonb::text, 'UTF8')), 'hex'))
      RETURNING id, name, version, tags, created_at`);
    const row = inserted.rows[0];
    if (!row) throw new Error('INSERT … RETURNING gave no row');
    return { taxonomy: toRow(row), created: true };
  });
}

/** The latest version of a taxonomy, or undefined. */
export async function findTaxonomy(db: Db, name: string): Promise<TaxonomyRow | undefined> {
  const result = await db.execute(sql`
    SELECT id, name, version, tags, created_at FROM taxonomies
    WHERE name = ${name} ORDER BY version DESC LIMIT 1`);
  const row = result.rows[0];
  return row ? toRow(row) : undefined;
}

/** The latest version of every taxonomy, by name. */
export async function listTaxonomies(db: Db): Promise<TaxonomyRow[]> {
  const result = await db.execute(sql`
    SELECT DISTINCT ON (name) id, name, version, tags, created_at FROM taxonomies
    ORDER BY name, version DESC`);
  return result.rows.map(toRow);
}

/** A taxonomy version by id, or undefined. */
export async function taxonomyById(db: Db, id: number): Promise<TaxonomyRow | undefined> {
  const result = await db.execute(sql`
    SELECT id, name, version, tags, created_at FROM taxonomies WHERE id = ${id}`);
  const row = result.rows[0];
  return row ? toRow(row) : undefined;
}

/** A given version of a named taxonomy, or undefined. */
export async function taxonomyVersion(
  db: Db,
  name: string,
  version: number,
): Promise<TaxonomyRow | undefined> {
  const result = await db.execute(sql`
    SELECT id, name, version, tags, created_at FROM taxonomies WHERE name = ${name} AND version = ${version}`);
  const row = result.rows[0];
  return row ? toRow(row) : undefined;
}
