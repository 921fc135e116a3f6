import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@mediatag/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './harness.ts';
import { runCli } from './testing.ts';

const BIN = new URL('../bin/mediatag.js', import.meta.url).pathname;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe('mediatag serve (the command)', () => {
  it('is listed in the help and takes no arguments', async () => {
    expect((await runCli(['--help'], {})).stdout).toMatch(/^ {2}serve +serve: webhook receiver/m);
    const run = await runCli(['serve', 'extra'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('usage: mediatag serve');
  });

  it('prints its URL, serves until SIGTERM, then exits 0', async () => {
    const port = await freePort();
    const child: ChildProcess = spawn(process.execPath, [BIN, 'serve'], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        REDIS_URL: 'redis://127.0.0.1:6379',
        QUEUE_PREFIX: `mt-test-${randomBytes(4).toString('hex')}`,
        PORT: String(port),
        HOST: '127.0.0.1',
        WEBHOOK_SECRET: 'test-secret-0123456789',
        DASHBOARD: '1',
        DASHBOARD_USER: 'admin',
        DASHBOARD_PASSWORD: 'correct-horse',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await expect.poll(() => stderr, { timeout: 15_000, interval: 100 }).toContain('listening on');
      const url = `http://127.0.0.1:${port}`;
      expect(stderr).toContain(`mediatag serve: listening on ${url}`);
      expect(stderr).not.toContain('test-secret');
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const hook = await fetch(`${url}/webhooks/assemblyai`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-mediatag-webhook-secret': 'wrong' },
        body: '{"transcript_id":"x","status":"completed"}',
      });
      expect(hook.status).toBe(401);
      expect((await fetch(`${url}/admin/queues`)).status).toBe(401);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toContain('SIGTERM: closing');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
