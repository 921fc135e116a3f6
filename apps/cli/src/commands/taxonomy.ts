import { readFile } from 'node:fs/promises';
import { addTaxonomy, findTaxonomy, listTaxonomies, type Tag } from '@mediatag/db';
import { UsageError } from '@mediatag/errors';
import { parse as parseYaml } from 'yaml';
import { type Command, defineSpec, HelpRequested, noPositionals, parseCommand } from '../args.ts';
import type { Context } from '../context.ts';

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

const ADD = defineSpec({
  usage: 'mediatag taxonomy add NAME FILE',
  summary:
    'Saves a tag list from a JSON or YAML file (tag: description); a list that differs from the latest version becomes a new version.',
  options: {},
  help: {},
});
const LIST = defineSpec({
  usage: 'mediatag taxonomy list',
  summary: 'Lists the tag lists (latest version of each) with their tags.',
  options: {},
  help: {},
});
const SHOW = defineSpec({
  usage: 'mediatag taxonomy show NAME',
  summary: 'Prints the latest version of a tag list, one `tag: description` a line.',
  options: {},
  help: {},
});
const USAGE = 'mediatag taxonomy add NAME FILE | list | show NAME';
const TOP = `usage: ${USAGE}

Manages the tag lists (taxonomies) topics are picked from.

  add NAME FILE  save a tag list from JSON or YAML (a changed list becomes a new version)
  list           list the tag lists
  show NAME      print a tag list

See: mediatag taxonomy SUBCOMMAND --help`;

async function add(ctx: Context, name: string, file: string): Promise<number> {
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

async function list(ctx: Context): Promise<number> {
  for (const t of await listTaxonomies(await ctx.db())) {
    ctx.out(`${t.name}\tv${t.version}\t${t.tags.length} tags\t${t.tags.map((x) => x.name).join(', ')}`);
  }
  return 0;
}

async function show(ctx: Context, name: string): Promise<number> {
  const t = await findTaxonomy(await ctx.db(), name);
  if (!t) throw new UsageError(`no taxonomy named "${name}" (see: mediatag taxonomy list)`);
  ctx.out(`# ${t.name} v${t.version}`);
  for (const tag of t.tags) ctx.out(`${tag.name}: ${tag.description}`);
  return 0;
}

/** `mediatag taxonomy add|list|show`; each subcommand has its own --help. */
export const taxonomyCommand: Command = {
  prepare(args) {
    const [sub, ...rest] = args;
    if (sub === '--help' || sub === '-h') throw new HelpRequested(TOP);
    if (sub === 'add') {
      const [name, file, ...extra] = parseCommand(ADD, rest).positionals;
      if (!name || !file || extra.length > 0) throw new UsageError(`usage: ${ADD.usage}`);
      return (ctx) => add(ctx, name, file);
    }
    if (sub === 'list') {
      noPositionals(parseCommand(LIST, rest).positionals, LIST.usage);
      return list;
    }
    if (sub === 'show') {
      const [name, ...extra] = parseCommand(SHOW, rest).positionals;
      if (!name || extra.length > 0) throw new UsageError(`usage: ${SHOW.usage}`);
      return (ctx) => show(ctx, name);
    }
    throw new UsageError(
      `${sub === undefined ? 'no subcommand' : `unknown subcommand "${sub}"`}\nusage: ${USAGE}`,
    );
  },
};
