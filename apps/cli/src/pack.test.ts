// The packed CLI, as someone without this repository gets it: packed, installed globally into
// a scratch prefix from the tarball alone (--offline: every npm package is inside it), then
// run from an unrelated directory.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { dropDatabase, TEST_SERVER_URL } from '@mediatag/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PACK = fileURLToPath(new URL('../scripts/pack.mjs', import.meta.url));
const database = `mt_test_pack_${Math.random().toString(16).slice(2, 10)}`;

let scratch: string;
let mediatag: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mediatag-pack-test-'));
  // The global setup has just built dist/; packing it again here would swap it under other tests.
  const { stdout } = await run(process.execPath, [PACK, '--out', scratch, '--no-build', '--quiet']);
  const tarball = stdout.trim().split('\n').at(-1) ?? '';
  expect(tarball).toMatch(/mediatag-\d+\.\d+\.\d+\.tgz$/);
  const prefix = join(scratch, 'prefix');
  await run('npm', ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, tarball], {
    cwd: scratch,
  });
  mediatag = join(prefix, 'bin', 'mediatag');
}, 180_000);

afterAll(async () => {
  await dropDatabase(database);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Runs the installed `mediatag` from a directory with no package.json and no node_modules. */
function installed(args: string[], env: Record<string, string> = {}) {
  return run(mediatag, args, {
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env },
  });
}

describe('the packed CLI installed with npm install -g', () => {
  it('answers --help from any directory', async () => {
    const { stdout } = await installed(['--help']);
    expect(stdout).toMatch(/^usage: mediatag COMMAND/);
    expect(stdout).toContain('migrate');
  });

  it('migrates a fresh database with the migrations it ships, then reads it', async () => {
    const url = `${TEST_SERVER_URL}/${database}`;
    const migrate = await installed(['migrate'], { DATABASE_URL: url });
    expect(migrate.stdout).toContain(`created database ${url}`);
    expect(migrate.stdout).toContain('applied 0001_init.sql');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const tables = await client.query("SELECT 1 FROM pg_tables WHERE tablename = 'tag_results'");
      expect(tables.rowCount).toBe(1);
    } finally {
      await client.end();
    }
    const status = await installed(['status', '--json'], { DATABASE_URL: url });
    expect(JSON.parse(status.stdout)).toBeTruthy();
  }, 30_000);
});
