// `npm run pack:cli [-- --out DIR]`: builds the CLI and packs it as mediatag-<version>.tgz,
// installable anywhere with `npm install -g ./mediatag-<version>.tgz` and no registry: the
// compiled bundle (the workspace packages are inside it), bin/, migrations/ and, bundled,
// the exact npm packages the tests ran against, copied from this checkout's node_modules.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildCli } from './build.mjs';

const APP = fileURLToPath(new URL('../', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

/** Where Node would find package `name` when required from `fromDir` inside this checkout. */
function locate(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (resolve(dir) === resolve(ROOT) || dirname(dir) === dir) return null;
  }
}

/**
 * Every package directory the bundle's imports need at run time: the named packages and,
 * transitively, their dependencies (optional ones when installed), each at the place in
 * node_modules where resolution finds it, so copying them keeps resolution identical.
 */
function closure(names) {
  const found = new Set();
  const visit = (name, fromDir, optional) => {
    const dir = locate(name, fromDir);
    if (dir === null) {
      if (optional) return;
      throw new Error(`${name} (needed from ${relative(ROOT, fromDir) || '.'}) is not installed: run npm ci`);
    }
    if (found.has(dir)) return;
    found.add(dir);
    const pkg = readJson(join(dir, 'package.json'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, dir, false);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(dep, dir, true);
    // npm installs peers itself; one that is absent here was optional.
    for (const dep of Object.keys(pkg.peerDependencies ?? {})) visit(dep, dir, true);
  };
  for (const name of names) visit(name, ROOT, false);
  return [...found].sort();
}

/**
 * Builds (unless `build` is false: the tests' global setup has just built), stages and
 * packs; returns the tarball's path.
 */
export async function packCli({ out = ROOT, quiet = false, build: rebuild = true } = {}) {
  const say = (line) => quiet || process.stdout.write(`${line}\n`);
  const build = rebuild ? await buildCli({ quiet: true }) : readJson(join(APP, 'dist', 'build.json'));
  const cli = readJson(join(APP, 'package.json'));
  const staging = await mkdtemp(join(tmpdir(), 'mediatag-pack-'));
  try {
    await cp(join(APP, 'bin'), join(staging, 'bin'), { recursive: true });
    await cp(join(APP, 'dist'), join(staging, 'dist'), { recursive: true });
    await cp(join(ROOT, 'migrations'), join(staging, 'migrations'), { recursive: true });
    await cp(join(ROOT, 'README.md'), join(staging, 'README.md'));
    const dirs = closure(build.external);
    for (const dir of dirs) {
      // Nested node_modules are copied as entries of their own, only what is needed.
      await cp(dir, join(staging, relative(ROOT, dir)), {
        recursive: true,
        filter: (src) => !relative(dir, src).split(sep).includes('node_modules'),
      });
    }
    const version = (name) => readJson(join(locate(name, ROOT) ?? '', 'package.json')).version;
    const dependencies = Object.fromEntries(build.external.map((name) => [name, version(name)]));
    const manifest = {
      name: 'mediatag',
      version: cli.version,
      description: 'Turn a backlog of media into topic-tagged rows in Postgres with AssemblyAI',
      type: 'module',
      bin: { mediatag: 'bin/mediatag.js' },
      engines: { node: '>=20.19' },
      dependencies,
      bundleDependencies: Object.keys(dependencies),
    };
    await writeFile(join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await mkdir(out, { recursive: true });
    const [packed] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', resolve(out)], {
        cwd: staging,
        encoding: 'utf8',
        // `--json` lists every file of the tarball: megabytes with the AWS SDK bundled.
        maxBuffer: 1024 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    const tarball = join(resolve(out), packed.filename);
    say(
      `packed ${relative(process.cwd(), tarball) || tarball}: ${packed.entryCount} files, ${(packed.size / 2 ** 20).toFixed(1)} MB, ${dirs.length} bundled npm packages`,
    );
    return tarball;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, quiet: { type: 'boolean' }, 'no-build': { type: 'boolean' } },
  });
  const tarball = await packCli({
    out: values.out ?? process.cwd(),
    quiet: values.quiet === true,
    build: values['no-build'] !== true,
  });
  if (values.quiet) process.stdout.write(`${tarball}\n`);
}
