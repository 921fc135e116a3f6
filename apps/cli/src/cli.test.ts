import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadMigrations } from '@mediatag/db';
import { dropDatabase, TEST_SERVER_URL } from '@mediatag/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './testing.ts';

const dbName = `mt_test_cli_${Math.random().toString(36).slice(2, 10)}`;
const env = { DATABASE_URL: `${TEST_SERVER_URL}/${dbName}` };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mt-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await dropDatabase(dbName);
});

describe('mediatag CLI', () => {
  it('migrate creates the database, then has nothing to do', async () => {
    const first = await runCli(['migrate'], env);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain(`created database postgres://postgres@127.0.0.1:5432/${dbName}`);
    expect(first.stdout).toContain('applied 0002_preset_taxonomies.sql');
    const second = await runCli(['migrate'], env);
    // Every file of migrations/, however many there are by now.
    const count = (await loadMigrations()).length;
    expect(second.stdout).toBe(`database is up to date (${count} migrations applied)\n`);
  });

  it('lists both presets', async () => {
    const { code, stdout } = await runCli(['taxonomy', 'list'], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^media\tv1\t15 tags\tSports, .*Culture$/m);
    expect(stdout).toMatch(/^support-calls\tv1\t5 tags\tAccount Issues, .*Service Disruption$/m);
  });

  it('adds a taxonomy from YAML and from JSON, versioning on change', async () => {
    const yaml = join(dir, 'tags.yaml');
    await writeFile(
      yaml,
      'Refunds: Customers asking for money back.\n"no": Norwegian, kept as text by YAML 1.2\n',
    );
    expect((await runCli(['taxonomy', 'add', 'shop', yaml], env)).stdout).toBe(
      'taxonomy shop version 1 saved (2 tags)\n',
    );
    const json = join(dir, 'tags.json');
    await writeFile(
      json,
      JSON.stringify({ Refunds: 'Customers asking for money back.', Delivery: 'Late parcels.' }),
    );
    expect((await runCli(['taxonomy', 'add', 'shop', json], env)).stdout).toBe(
      'taxonomy shop version 2 saved (2 tags)\n',
    );
    expect((await runCli(['taxonomy', 'add', 'shop', json], env)).stdout).toContain('nothing changed');
    const shown = await runCli(['taxonomy', 'show', 'shop'], env);
    expect(shown.stdout).toBe(
      '# shop v2\nRefunds: Customers asking for money back.\nDelivery: Late parcels.\n',
    );
  });

  it.each([
    [['taxonomy', 'add', 'x', '/no/such/file.json'], /\/no\/such\/file.json: cannot read: ENOENT/],
    [['taxonomy', 'show', 'nope'], /no taxonomy named "nope"/],
    [['taxonomy', 'frobnicate'], /usage: mediatag taxonomy/],
    [['status', '--bogus'], /Unknown option '--bogus'/],
    [['status', '--batch', 'missing'], /no batch named "missing"/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('exits 2 with a clear message for %j', async (argv, pattern) => {
    const { code, stderr } = await runCli(argv, env);
    expect(code).toBe(2);
    expect(stderr).toMatch(pattern);
  });

  it('exits 2 on a taxonomy file that is not a tag list', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, '- [unclosed\n');
    const { code, stderr } = await runCli(['taxonomy', 'add', 'bad', bad], env);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad.yaml: not valid JSON or YAML/);
  });

  it('status works on a database with no batches', async () => {
    expect((await runCli(['status'], env)).stdout).toMatch(/no batches yet/);
    expect((await runCli(['status', '--json'], env)).stdout).toBe('[]\n');
  });

  it('a bad or unreachable DATABASE_URL is one line and exit 1', async () => {
    const refused = await runCli(['status'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'mediatag: cannot connect to Postgres at 127.0.0.1:1/x: connection refused (is the server running?)\n',
    );
    const malformed = await runCli(['status'], { DATABASE_URL: 'mysql://u:secret@h/db' });
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toBe(
      'mediatag: invalid environment: DATABASE_URL: must be a postgres URL (postgres:// or postgresql://)\n',
    );
  });

  it('runs from the repo root as the `mediatag` bin', async () => {
    const root = new URL('../../../', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(
      'node',
      ['apps/cli/bin/mediatag.js', 'taxonomy', 'show', 'media'],
      {
        cwd: root,
        env: { ...process.env, ...env },
      },
    );
    expect(stdout.split('\n')[0]).toBe('# media v1');
    expect(stdout).toContain(
      'Sports: News and updates on various athletic events, teams, and sports personalities.',
    );
  });
  it('enqueue --rss: episodes with their feed columns; a re-run adds only new ones; a broken feed exits 2', async () => {
    const fixtures = new URL('./enqueue/fixtures/', import.meta.url).pathname;
    const rss = join(fixtures, 'podcast-rss.xml');
    const env2 = { ...env, QUEUE_PREFIX: `mt-test-cli-${Math.random().toString(36).slice(2, 8)}` };
    const first = await runCli(['enqueue', '--rss', rss, '--batch', 'pod'], env2);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('added 4, already known 0, rejected 4');
    expect(first.stderr).toContain(
      'podcast-rss.xml: item 5 (tidepool-005): enclosure type application/pdf is not audio or video',
    );
    const again = await runCli(
      ['enqueue', '--rss', rss, '--rss', join(fixtures, 'podcast-atom.xml'), '--batch', 'pod'],
      env2,
    );
    expect(again.stdout).toMatch(/added [1-9]\d*, already known 4/);
    const broken = await runCli(
      ['enqueue', '--rss', join(fixtures, 'malformed.xml'), '--batch', 'pod'],
      env2,
    );
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/is not well-formed XML \(line \d+/);
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    const { rows } = await client.query(
      `SELECT count(*)::int AS n, count(published_at)::int AS dated, count(DISTINCT feed_title)::int AS feeds
       FROM tagged_files WHERE batch = 'pod' AND source = 'rss'`,
    );
    await client.end();
    expect(rows[0].n).toBeGreaterThan(4);
    expect(rows[0].dated).toBeGreaterThan(0);
    expect(rows[0].feeds).toBe(2);
  });
});
