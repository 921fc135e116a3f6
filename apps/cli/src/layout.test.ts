// Guards the rule of docs/ARCHITECTURE.md › "Layout and dependency direction": apps are the
// deployables and depend only on packages; no app imports another app, no package imports an app.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// This file's own examples below are not imports.
const SELF = fileURLToPath(import.meta.url);
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SKIPPED_DIRS = new Set(['node_modules', 'dist']);

interface Workspace {
  name: string;
  /** `apps/cli`, `packages/db`. */
  dir: string;
  kind: 'app' | 'package';
}

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest;
}

function workspaces(): Workspace[] {
  const found: Workspace[] = [];
  for (const [parent, kind] of [
    ['apps', 'app'],
    ['packages', 'package'],
  ] as const) {
    for (const entry of readdirSync(join(ROOT, parent), { withFileTypes: true })) {
      const dir = `${parent}/${entry.name}`;
      if (entry.isDirectory() && existsSync(join(ROOT, dir, 'package.json'))) {
        found.push({ name: manifest(dir).name, dir, kind });
      }
    }
  }
  return found;
}

/** Every source file under `dir` (absolute), build output and node_modules left out. */
function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.isFile() && SOURCE.test(entry.name)) yield path;
  }
}

const PATTERNS = [
  // import … from 'x', import type … from 'x', export … from 'x' (over several lines too)
  /\b(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g,
  // import 'x' (for its side effects)
  /\bimport\s*['"]([^'"]+)['"]/g,
  // import('x'), await import("x")
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** The module specifiers a source file imports or re-exports from, in no particular order. */
function importSpecifiers(source: string): string[] {
  return PATTERNS.flatMap((pattern) => [...source.matchAll(pattern)].map((m) => m[1] as string));
}

/** The workspace holding an absolute path, if any. */
function workspaceOf(path: string, all: Workspace[]): Workspace | undefined {
  const rel = relative(ROOT, path).split(sep).join('/');
  return all.find((w) => rel === w.dir || rel.startsWith(`${w.dir}/`));
}

/** The workspace a specifier written in `file` points into: `@scope/name…` or a relative path. */
function target(file: string, specifier: string, all: Workspace[]): Workspace | undefined {
  if (specifier.startsWith('.')) return workspaceOf(resolve(dirname(file), specifier), all);
  return all.find((w) => specifier === w.name || specifier.startsWith(`${w.name}/`));
}

/** Why `from` may not depend on `to`, or null when it may. */
function broken(from: Workspace, to: Workspace): string | null {
  if (to.dir === from.dir || to.kind !== 'app') return null;
  return from.kind === 'app' ? 'an app imports another app' : 'a package imports an app';
}

describe('layout: apps depend only on packages', () => {
  const all = workspaces();

  it('reads every form of import specifier', () => {
    const sample = [
      "import { a, type B } from '@x/one';",
      "import type {\n  C,\n  D,\n} from '../two.ts';",
      "export { e } from './three.ts';",
      "export * from '@x/four/sub';",
      "import '@x/five';",
      "const six = await import('@x/six');",
      'const seven = await import("@x/seven");',
    ].join('\n');
    expect(importSpecifiers(sample).sort()).toEqual([
      '../two.ts',
      './three.ts',
      '@x/five',
      '@x/four/sub',
      '@x/one',
      '@x/seven',
      '@x/six',
    ]);
  });

  it('tells an app importing an app, or a package importing an app, from the allowed directions', () => {
    const cli = { name: '@x/cli', dir: 'apps/cli', kind: 'app' } as const;
    const api = { name: '@x/api', dir: 'apps/api', kind: 'app' } as const;
    const db = { name: '@x/db', dir: 'packages/db', kind: 'package' } as const;
    expect(broken(cli, api)).toBe('an app imports another app');
    expect(broken(db, cli)).toBe('a package imports an app');
    expect(broken(cli, db)).toBeNull();
    expect(broken(cli, cli)).toBeNull();
    const file = join(ROOT, 'packages/db/src/x.ts');
    expect(target(file, '../../../apps/cli/src/main.ts', [cli, db])).toBe(cli);
    expect(target(file, './y.ts', [cli, db])).toBe(db);
    expect(target(file, '@x/cli/testing', [cli, db])).toBe(cli);
    expect(target(file, 'node:fs', [cli, db])).toBeUndefined();
  });

  it('no source file under apps/ or packages/ imports an app other than its own', () => {
    const violations: string[] = [];
    let files = 0;
    let crossings = 0;
    for (const from of all) {
      for (const file of sourceFiles(join(ROOT, from.dir))) {
        if (file === SELF) continue;
        files += 1;
        for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
          const to = target(file, specifier, all);
          if (to === undefined || to.dir === from.dir) continue;
          crossings += 1;
          const why = broken(from, to);
          if (why !== null) violations.push(`${relative(ROOT, file)} imports ${specifier}: ${why}`);
        }
      }
    }
    expect(violations).toEqual([]);
    // The scan did read the code: the CLI alone imports packages from dozens of files.
    expect(files).toBeGreaterThan(200);
    expect(crossings).toBeGreaterThan(100);
  });

  it('no package.json under apps/ or packages/ depends on an app', () => {
    const violations: string[] = [];
    for (const from of all) {
      const m = manifest(from.dir);
      const names = [m.dependencies, m.devDependencies, m.peerDependencies, m.optionalDependencies].flatMap(
        (deps) => Object.keys(deps ?? {}),
      );
      for (const name of names) {
        const to = all.find((w) => w.name === name);
        const why = to && broken(from, to);
        if (why) violations.push(`${from.dir}/package.json depends on ${name}: ${why}`);
      }
    }
    expect(violations).toEqual([]);
  });
});
