// `npm run build`: bundles the CLI and the workspace packages it imports into apps/cli/dist
// with esbuild, one chunk per command (each loaded only when that command runs). npm
// packages stay external: they load from node_modules, or from the packed CLI's bundled copy.
// Also run by the root `prepare` script, so `npm ci` leaves a CLI that starts at once.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const APP = fileURLToPath(new URL('../', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DIST = `${APP}dist`;

/** The npm package a bare import names (`@scope/name/sub` → `@scope/name`). */
export function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/**
 * Pure-JS ESM packages of many small files, bundled too: Node loads one chunk much faster
 * than zod's or drizzle's hundreds of modules, and every command parses its config with zod.
 */
const INLINE = new Set(['zod', 'drizzle-orm']);

/** Packages loaded by name at run time, not imported: pino starts pino-pretty in a worker thread. */
const LOADED_BY_NAME = ['pino-pretty'];

// Workspace packages (@mediatag/*) are bundled; any other npm package stays an import.
const externalNpm = {
  name: 'external-npm',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@mediatag/') || args.path.startsWith('node:')) return undefined;
      if (INLINE.has(packageName(args.path))) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/**
 * Builds into a scratch directory, then swaps it in, so a process starting meanwhile finds
 * either the old complete build or the new one (or none, and falls back to the sources).
 * Returns what dist/build.json records.
 */
export async function buildCli({ quiet = false } = {}) {
  const builtAt = Date.now();
  const scratch = `${APP}.dist-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  const result = await build({
    entryPoints: { main: `${APP}src/main.ts` },
    absWorkingDir: ROOT,
    outdir: scratch,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [externalNpm],
    metafile: true,
    logLevel: quiet ? 'error' : 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((input) => !input.startsWith('node_modules/'))
    .map((input) => relative(APP, `${ROOT}${input}`))
    .sort();
  const external = new Set(LOADED_BY_NAME);
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imported of output.imports) {
      if (imported.external && !imported.path.startsWith('node:')) external.add(packageName(imported.path));
    }
  }
  const record = { builtAt, inputs, external: [...external].sort() };
  await writeFile(`${scratch}/build.json`, `${JSON.stringify(record, null, 2)}\n`);
  const old = `${APP}.dist-old-${process.pid}`;
  await rename(DIST, old).catch((error) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await mkdir(dirname(DIST), { recursive: true });
  await rename(scratch, DIST);
  await rm(old, { recursive: true, force: true });
  if (!quiet) {
    const ms = Date.now() - builtAt;
    process.stdout.write(`built ${relative(ROOT, DIST)} from ${inputs.length} source files in ${ms} ms\n`);
  }
  return record;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await buildCli({ quiet: process.argv.includes('--quiet') });
}
