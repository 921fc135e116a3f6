import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadMigrations } from '@mediatag/db';
import { dropDatabase, TEST_SERVER_URL } from '@mediatag/db/testing';
import { FIXTURES_DIR } from '@mediatag/sources/testing';
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
    const fixtures = FIXTURES_DIR;
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

  it('batch names are trimmed wherever they are taken', async () => {
    const env2 = { ...env, QUEUE_PREFIX: `mt-test-cli-${Math.random().toString(36).slice(2, 8)}` };
    const run = await runCli(
      ['enqueue', 'https://cdn.example.com/trim.mp3', '--batch', '\u00a0 trimmed \t'],
      env2,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^batch trimmed \(taxonomy media v1\): added 1/);
    const status = await runCli(['status', '--batch', ' trimmed', '--json'], env2);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ batch: 'trimmed', total: 1 });
    expect((await runCli(['results', '--batch', 'trimmed ', '--format', 'jsonl'], env2)).stdout).toContain(
      '"url":"https://cdn.example.com/trim.mp3"',
    );
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    const { rows } = await client.query("SELECT name FROM batches WHERE name LIKE '%trimmed%'");
    await client.end();
    expect(rows).toEqual([{ name: 'trimmed' }]);
  });

  it('enqueue reads the CSVs spreadsheets write: any-case header, BOM, ; or tab, --url-column', async () => {
    const env2 = { ...env, QUEUE_PREFIX: `mt-test-cli-${Math.random().toString(36).slice(2, 8)}` };
    const files: [name: string, text: string, extra: string[]][] = [
      ['upper.csv', 'URL,Title\nhttps://cdn.example.com/csv/1.mp3,One\n', []],
      ['mixed.csv', ' Url ,Title\r\nhttps://cdn.example.com/csv/2.mp3,Two\r\n', []],
      // Excel in much of Europe: BOM, semicolons, a comma inside a field.
      ['excel.csv', '\uFEFFurl;Title\nhttps://cdn.example.com/csv/3.mp3;Three, with a comma\n', []],
      ['tabs.tsv', 'Title\tURL\nFour\thttps://cdn.example.com/csv/4.mp3', []],
      ['links.csv', 'Name;Link\nFive;https://cdn.example.com/csv/5.mp3\n', ['--url-column', 'link']],
    ];
    for (const [name, text, extra] of files) {
      const path = join(dir, name);
      await writeFile(path, text);
      const run = await runCli(['enqueue', path, '--batch', 'csv', ...extra], env2);
      expect(run.stderr, name).toBe('');
      expect(run.code, name).toBe(0);
      expect(run.stdout, name).toContain('added 1, already known 0, rejected 0');
    }
    const piped = await runCli(
      ['enqueue', '-', '--batch', 'csv', '--url-column', 'Media URL'],
      env2,
      'id,media url\n6,https://cdn.example.com/csv/6.mp3\n',
    );
    expect(piped.stdout).toContain('added 1, already known 0, rejected 0');
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    const { rows } = await client.query(
      "SELECT url, metadata FROM tagged_files WHERE batch = 'csv' ORDER BY url",
    );
    await client.end();
    expect(rows).toEqual([
      { url: 'https://cdn.example.com/csv/1.mp3', metadata: { Title: 'One' } },
      { url: 'https://cdn.example.com/csv/2.mp3', metadata: { Title: 'Two' } },
      { url: 'https://cdn.example.com/csv/3.mp3', metadata: { Title: 'Three, with a comma' } },
      { url: 'https://cdn.example.com/csv/4.mp3', metadata: { Title: 'Four' } },
      { url: 'https://cdn.example.com/csv/5.mp3', metadata: { Name: 'Five' } },
      { url: 'https://cdn.example.com/csv/6.mp3', metadata: { id: '6' } },
    ]);

    const noColumn = join(dir, 'nocolumn.csv');
    await writeFile(noColumn, 'Name;Link\nFive;https://cdn.example.com/csv/5.mp3\n');
    const missing = await runCli(['enqueue', noColumn, '--batch', 'csv'], env2);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `mediatag: ${noColumn}: no "url" column in the CSV header (found: Name, Link); name the column with --url-column NAME\n` +
        'nothing was added to batch csv before this; running the same command again continues (what is already in the batch is skipped)\n',
    );
    const wrong = await runCli(['enqueue', noColumn, '--batch', 'csv', '--url-column', 'href'], env2);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('no "href" column in the CSV header (found: Name, Link)');
  });

  it('enqueue of a file with no URLs says so and exits 2', async () => {
    const env2 = { ...env, QUEUE_PREFIX: `mt-test-cli-${Math.random().toString(36).slice(2, 8)}` };
    const empty = join(dir, 'empty.txt');
    await writeFile(empty, '');
    const run = await runCli(['enqueue', empty, '--batch', 'empty'], env2);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`${empty}: no media URLs in 0 lines\n`);
    const comments = join(dir, 'comments.txt');
    await writeFile(comments, '# nothing yet\n\n# still nothing\n');
    const commented = await runCli(['enqueue', comments, '--batch', 'empty'], env2);
    expect(commented.code).toBe(2);
    expect(commented.stderr).toBe(`${comments}: no media URLs in 3 lines\n`);
    const headerOnly = join(dir, 'header-only.csv');
    await writeFile(headerOnly, 'url,title\n');
    const csv = await runCli(['enqueue', headerOnly, '--batch', 'empty'], env2);
    expect(csv.code).toBe(2);
    expect(csv.stderr).toBe(`${headerOnly}: no media URLs in 1 line\n`);
    const stdin = await runCli(['enqueue', '-', '--batch', 'empty'], env2, 'not a url\n');
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toContain('stdin: no media URLs in 1 line\n');
    // One empty source among good ones: the run goes on and says which file had nothing.
    const mixed = await runCli(
      ['enqueue', empty, 'https://cdn.example.com/ok.mp3', '--batch', 'empty'],
      env2,
    );
    expect(mixed.code).toBe(0);
    expect(mixed.stderr).toBe(`${empty}: no media URLs in 0 lines\n`);
  });

  it('results exports every column of tagged_files, --columns chooses, and CSV formulas are neutralised', async () => {
    const env2 = { ...env, QUEUE_PREFIX: `mt-test-cli-${Math.random().toString(36).slice(2, 8)}` };
    // More than one page (1,000 rows), so the keyset paging is exercised too.
    const urls = Array.from({ length: 1200 }, (_, i) => `https://cdn.example.com/export/${i}.mp3`);
    expect((await runCli(['enqueue', '-', '--batch', 'export'], env2, urls.join('\n'))).code).toBe(0);
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    const viewColumns = (
      await client.query(
        `SELECT column_name FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = 'tagged_files' ORDER BY ordinal_position`,
      )
    ).rows.map((r) => r.column_name as string);
    // The columns migration 0003 added, which the hand-copied list never exported.
    expect(viewColumns).toEqual(
      expect.arrayContaining([
        'feed_title',
        'title',
        'published_at',
        'transcription_cost_usd',
        'llm_cost_usd',
      ]),
    );
    const first =
      "(SELECT min(media_file_id) FROM batch_files bf JOIN batches b ON b.id = bf.batch_id WHERE b.name = 'export')";
    await client.query(
      `UPDATE batch_files SET title = '\uFF1DHYPERLINK("http://evil")', feed_title = E'\\n=1+1',
         published_at = '2024-05-01T10:00:00Z' WHERE media_file_id = ${first}`,
    );
    await client.query(
      `UPDATE media_files SET error = '  =cmd|"/C calc"!A0', cost_usd = 0.0125 WHERE id = ${first}`,
    );
    await client.end();

    const csv = await runCli(['results', '--batch', 'export', '--format', 'csv'], env2);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.split('\n');
    expect(lines[0]).toBe(viewColumns.join(','));
    expect(csv.stdout).toContain(`"'\uFF1DHYPERLINK(""http://evil"")"`);
    expect(csv.stdout).toContain(`"'\n=1+1"`);
    expect(csv.stdout).toContain(`"'  =cmd|""/C calc""!A0"`);
    expect(csv.stdout).toContain('2024-05-01T10:00:00.000Z');

    const jsonl = await runCli(['results', '--batch', 'export', '--format', 'jsonl'], env2);
    const rows = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(1200);
    expect(Object.keys(rows[0])).toEqual(viewColumns);
    expect(rows[0]).toMatchObject({
      transcription_cost_usd: 0.0125,
      published_at: '2024-05-01T10:00:00.000Z',
    });
    expect(
      JSON.parse((await runCli(['results', '--batch', 'export', '--format', 'json'], env2)).stdout),
    ).toHaveLength(1200);

    const chosen = await runCli(
      ['results', '--batch', 'export', '--format', 'csv', '--columns', 'url, feed_title,published_at'],
      env2,
    );
    expect(chosen.stdout.split('\n')[0]).toBe('url,feed_title,published_at');
    // The first row's feed_title holds a newline: a quoted cell that spans two lines.
    expect(chosen.stdout).toContain(`\n${urls[0]},"'\n=1+1",2024-05-01T10:00:00.000Z\n`);
    expect(chosen.stdout.split('\n').filter((l) => l.startsWith('https://'))).toHaveLength(1200);

    const table = await runCli(['results', '--batch', 'export'], env2);
    expect(table.stdout.split('\n')[0]).toMatch(
      /^url +topic +transcript_status +tag_status +audio_duration_s +error$/,
    );
    const narrow = await runCli(['results', '--batch', 'export', '--columns', 'title,url'], env2);
    expect(narrow.stdout.split('\n')[0]).toMatch(/^title +url$/);

    const unknown = await runCli(['results', '--batch', 'export', '--columns', 'url,cost,nope'], env2);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toBe(
      `mediatag: --columns: no column "cost", "nope" in tagged_files; valid columns: ${viewColumns.join(', ')}\n`,
    );
  });

  it('enqueue shows progress on stderr: periodic lines when not a terminal, nothing with --quiet', async () => {
    const env2 = { ...env, QUEUE_PREFIX: `mt-test-cli-${Math.random().toString(36).slice(2, 8)}` };
    // 25,000 lines (2,500 URLs, the rest comments): at least two 10,000-line marks.
    const lines = Array.from({ length: 25_000 }, (_, i) =>
      i % 10 === 0 ? `https://cdn.example.com/progress/${i}.mp3` : `# comment ${i}`,
    );
    const input = `${lines.join('\n')}\n`;
    const run = await runCli(['enqueue', '-', '--batch', 'progress'], env2, input);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('added 2500, already known 0, rejected 0');
    const progress = run.stderr.split('\n').filter((l) => l.startsWith('enqueue: '));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(run.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('enqueue: '))).toEqual([]);
    const read = progress.map((l) => {
      const m = /^enqueue: read ([\d,]+) lines, added ([\d,]+), already known ([\d,]+) \(\S+\)$/.exec(l);
      expect(m, l).not.toBeNull();
      return Number(m?.[1]?.replace(/,/g, ''));
    });
    expect(read).toEqual([...read].sort((a, b) => a - b));
    expect(read.at(-1)).toBeGreaterThanOrEqual(20_000);

    const quiet = await runCli(['enqueue', '-', '--batch', 'progress-quiet', '--quiet'], env2, input);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
  });

  it('enqueue on a terminal redraws one progress line in place and clears it at the end', async () => {
    const env2 = {
      ...env,
      LOG_LEVEL: 'silent',
      QUEUE_PREFIX: `mt-test-cli-${Math.random().toString(36).slice(2, 8)}`,
    };
    const { PassThrough, Readable } = await import('node:stream');
    const { main } = await import('./main.ts');
    const stdout = new PassThrough();
    const stderr = Object.assign(new PassThrough(), { isTTY: true });
    let err = '';
    stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    stdout.resume();
    const urls = Array.from({ length: 50 }, (_, i) => `https://cdn.example.com/tty/${i}.mp3`).join('\n');
    const code = await main(['enqueue', '-', '--batch', 'tty'], env2, {
      stdin: Readable.from([urls]),
      stdout,
      stderr,
    });
    expect(code).toBe(0);
    const eraseLine = '\x1b[K';
    const draws = err.split('\r').filter((d) => d !== '' && d !== eraseLine);
    expect(draws.length).toBeGreaterThanOrEqual(1);
    for (const draw of draws) {
      expect(draw.endsWith(eraseLine)).toBe(true);
      expect(draw.slice(0, -eraseLine.length)).toMatch(
        /^enqueue: read \d+ lines, added \d+, already known \d+ \(\S+\)$/,
      );
    }
    expect(err.endsWith('\r\x1b[K')).toBe(true);
    expect(err).not.toContain('\n');
  });
});
