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

  it('refuses an open dashboard off loopback, in one line, before connecting to anything', async () => {
    for (const HOST of ['0.0.0.0', '::', '192.0.2.10']) {
      const run = await runCli(['serve'], {
        HOST,
        DASHBOARD: '1',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere',
      });
      expect(run.code, HOST).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain(`DASHBOARD=1 on HOST=${HOST} needs DASHBOARD_USER and DASHBOARD_PASSWORD`);
    }
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

describe('mediatag serve on every interface', () => {
  it('says where it really listens, and serves metrics only with the token', async () => {
    const port = await freePort();
    const token = 'metrics-token-0123456789';
    const child: ChildProcess = spawn(process.execPath, [BIN, 'serve'], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        REDIS_URL: 'redis://127.0.0.1:6379',
        QUEUE_PREFIX: `mt-test-${randomBytes(4).toString('hex')}`,
        PORT: String(port),
        HOST: '0.0.0.0',
        METRICS_TOKEN: token,
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
      expect(stderr).toContain(
        `mediatag serve: listening on http://0.0.0.0:${port} (reachable at http://127.0.0.1:${port}`,
      );
      expect(stderr).toContain('metrics need a bearer token');
      expect(stderr).not.toContain(token);
      const url = `http://127.0.0.1:${port}`;
      expect((await fetch(`${url}/metrics`)).status).toBe(401);
      const ok = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
