import { randomBytes } from 'node:crypto';
import { TEST_SERVER_URL } from '@mediatag/db/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './testing.ts';

// A database that must never be created and a Redis nobody listens on: a command that
// reached for either would create the one or fail on the other.
const dbName = `mt_test_help_${randomBytes(4).toString('hex')}`;
const env = {
  DATABASE_URL: `${TEST_SERVER_URL}/${dbName}`,
  REDIS_URL: 'redis://127.0.0.1:1',
  ASSEMBLYAI_BASE_URL: 'http://127.0.0.1:1',
  LLM_GATEWAY_URL: 'http://127.0.0.1:1',
};

async function databaseExists(): Promise<boolean> {
  const admin = new pg.Client({ connectionString: `${TEST_SERVER_URL}/postgres` });
  await admin.connect();
  try {
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    return rows.length > 0;
  } finally {
    await admin.end();
  }
}

afterAll(async () => {
  expect(await databaseExists()).toBe(false);
});

const COMMANDS: [argv: string[], usage: string][] = [
  [['migrate'], 'usage: mediatag migrate'],
  [['enqueue'], 'usage: mediatag enqueue'],
  [['taxonomy', 'add'], 'usage: mediatag taxonomy add NAME FILE'],
  [['taxonomy', 'list'], 'usage: mediatag taxonomy list'],
  [['taxonomy', 'show'], 'usage: mediatag taxonomy show NAME'],
  [['worker'], 'usage: mediatag worker'],
  [['status'], 'usage: mediatag status'],
  [['results'], 'usage: mediatag results'],
  [['report'], 'usage: mediatag report'],
  [['retry'], 'usage: mediatag retry'],
  [['retag'], 'usage: mediatag retag'],
  [['reconcile'], 'usage: mediatag reconcile'],
  [['serve'], 'usage: mediatag serve'],
  [['emulator'], 'usage: mediatag emulator'],
  [['demo'], 'usage: mediatag demo'],
];

describe('--help and unknown options touch neither Postgres nor Redis', () => {
  describe.each(COMMANDS)('%j', (argv, usage) => {
    it.each(['--help', '-h'])('%s prints usage, options and what it does; exit 0', async (flag) => {
      const run = await runCli([...argv, flag], env);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout.startsWith(`${usage}`)).toBe(true);
      expect(run.stdout).toMatch(/\n\n[A-Z][^\n]+\.\n\noptions:\n/);
      expect(run.stdout).toContain('-h, --help');
      expect(await databaseExists()).toBe(false);
    });

    it('an unknown option is exit 2 naming it', async () => {
      const run = await runCli([...argv, '--no-such-flag'], env);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^mediatag: Unknown option '--no-such-flag'\nusage: mediatag /);
      expect(await databaseExists()).toBe(false);
    });
  });

  it('taxonomy --help lists its subcommands; an unknown one is exit 2 naming it', async () => {
    for (const flag of ['--help', '-h']) {
      const run = await runCli(['taxonomy', flag], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^usage: mediatag taxonomy add NAME FILE \| list \| show NAME\n/);
      expect(run.stdout).toMatch(/^ {2}show NAME +print a tag list$/m);
    }
    const bad = await runCli(['taxonomy', '--no-such-flag'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown subcommand "--no-such-flag"');
  });

  it('help wins over otherwise complete arguments, and `mediatag help CMD` is CMD --help', async () => {
    for (const argv of [
      ['migrate', '--help'],
      ['results', '--batch', 'b', '--format', 'csv', '-h'],
      ['enqueue', 'urls.txt', '--batch', 'b', '--help'],
      ['reconcile', '-h'],
      ['worker', 'all', '--concurrency', '4', '--help'],
      ['taxonomy', 'show', 'media', '--help'],
      ['help', 'retry'],
    ]) {
      const run = await runCli(argv, env);
      expect(run.code, argv.join(' ')).toBe(0);
      expect(run.stdout).toMatch(/^usage: mediatag /);
    }
    expect(await databaseExists()).toBe(false);
  });

  it('bad values are refused before connecting too', async () => {
    for (const [argv, message] of [
      [['worker', '--concurrency', 'many'], '--concurrency must be a positive integer'],
      [['results', '--batch', 'b', '--format', 'xml'], '--format must be one of'],
      [['status', '--wait', '--batch', 'b', '--interval', '0'], '--interval must be a positive number'],
      [['retag', '--batch', 'b'], '--taxonomy NAME is required'],
      [['emulator', '--port', 'x'], '--port needs a non-negative integer'],
      [['migrate', 'extra'], 'unexpected argument "extra"'],
      [['report'], '--batch NAME is required'],
      [['report', '--batch', 'a', '--batch', 'b', '--batch', 'c'], 'at most two batches'],
      [['report', '--batch', 'a', '--batch', ' a '], 'given twice'],
    ] as const) {
      const run = await runCli([...argv], env);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.stderr).toContain(message);
    }
    expect(await databaseExists()).toBe(false);
  });

  it('an empty batch name or one with control characters is exit 2 naming the value, everywhere', async () => {
    const names = ['   ', '', '\t', 'calls\n2026', 'x\u001b[2Jy', 'nul\u0000'];
    const commands = [
      ['enqueue', 'https://cdn.example.com/a.mp3'],
      ['status'],
      ['results'],
      ['report'],
      ['retry'],
      ['retag', '--taxonomy', 'media'],
    ];
    for (const command of commands) {
      for (const name of names) {
        const run = await runCli([...command, '--batch', name], env);
        expect(run.code, `${command[0]} ${JSON.stringify(name)}`).toBe(2);
        expect(run.stderr).toContain(`--batch ${JSON.stringify(name)}: `);
      }
    }
    expect(await databaseExists()).toBe(false);
  });
});
