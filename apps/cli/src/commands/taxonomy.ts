import { readFile } from 'node:fs/promises';
import { addTaxonomy, findTaxonomy, listTaxonomies, type Tag } from '@mediatag/db';
import { UsageError } from '@mediatag/errors';
import { parse as parseYaml } from 'yaml';
import type { Context } from '../context.ts';

const USAGE = 'mediatag taxonomy add NAME FILE | list | show NAME';

/**
 * Reads a tag list: a JSON or YAML object (tag → description), as in AssemblyAI's guide,
 * or a list of {name, description}. YAML is parsed as 1.2 so `no:` stays a string.
 */
export function parseTaxonomyText(text: string, source: string): Tag[] {
  let data: unknown;
  try {
    data = parseYaml(text, { version: '1.2', uniqueKeys: true }) as unknown;
  } catch (error) {
    throw new UsageError(`${source}: not valid JSON or YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (Array.isArray(data)) {
    return data.map((item, i) => {
      if (typeof item === 'string') return { name: item, description: '' };
      const o = item as { name?: unknown; description?: unknown };
      if (typeof o?.name !== 'string') throw new UsageError(`${source}: item ${i + 1} has no "name"`);
      return { name: o.name, description: typeof o.description === 'string' ? o.description : '' };
    });
  }
  if (data && typeof data === 'object') {
    return Object.entries(data as Record<string, unknown>).map(([name, description]) => {
      if (description !== null && typeof description !== 'string') {
        throw new UsageError(`${source}: the description of "${name}" must be text`);
      }
      return { name, description: description ?? '' };
    });
  }
  throw new UsageError(`${source}: expected an object of tag → description`);
}

/** `mediatag taxonomy add|list|show`. */
export async function taxonomyCommand(ctx: Context, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'add') {
    const [name, file] = rest;
    if (!name || !file || rest.length > 2) throw new UsageError(`usage: ${USAGE}`);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    const tags = parseTaxonomyText(text, file);
    const { taxonomy, created } = await addTaxonomy(await ctx.db(), name, tags);
    ctx.out(
      created
        ? `taxonomy ${taxonomy.name} version ${taxonomy.version} saved (${taxonomy.tags.length} tags)`
        : `taxonomy ${taxonomy.name} version ${taxonomy.version} already has these tags; nothing changed`,
    );
    return 0;
  }
  if (sub === 'list' && rest.length === 0) {
    for (const t of await listTaxonomies(await ctx.db())) {
      ctx.out(`${t.name}\tv${t.version}\t${t.tags.length} tags\t${t.tags.map((x) => x.name).join(', ')}`);
    }
    return 0;
  }
  if (sub === 'show' && rest.length === 1 && rest[0]) {
    const t = await findTaxonomy(await ctx.db(), rest[0]);
    if (!t) throw new UsageError(`no taxonomy named "${rest[0]}" (see: mediatag taxonomy list)`);
    ctx.out(`# ${t.name} v${t.version}`);
    for (const tag of t.tags) ctx.out(`${tag.name}: ${tag.description}`);
    return 0;
  }
  throw new UsageError(`usage: ${USAGE}`);
}
