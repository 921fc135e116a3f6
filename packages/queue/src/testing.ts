// Test helpers. A real Redis Cluster: N masters (no replicas) as child processes on free
// loopback ports, joined with `redis-cli --cluster create`. Needs redis-server and redis-cli
// (7.0+, for --cluster-port); a cluster that cannot start fails the test with the reason.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { QUEUE_NAMES } from './catalog.ts';
import type { RedisKeys } from './keys.ts';

const run = promisify(execFile);

/** A running cluster; `url` is a `redis+cluster://` URL naming every master. */
export interface TestRedisCluster {
  url: string;
  ports: number[];
  /** Stops every server and removes their files. */
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    timeout: 10_000,
  });
  return stdout;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`Redis Cluster: ${what} not reached after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts `masters` cluster-enabled redis-servers and joins them into one cluster. */
export async function startRedisCluster(options: { masters?: number } = {}): Promise<TestRedisCluster> {
  const count = options.masters ?? 3;
  const dir = await mkdtemp(join(tmpdir(), 'mediatag-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const close = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i++) {
      // The cluster bus gets its own free port: the default (port + 10000) may be taken or > 65535.
      const [port, busPort] = [await freePort(), await freePort()];
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--cluster-port',
          String(busPort),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          '2000',
          '--appendonly',
          'no',
          '--save',
          '',
          '--daemonize',
          'no',
          '--dir',
          dir,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      const failed = new Promise<never>((_, reject) => {
        child.once('error', (err) => reject(new Error(`cannot start redis-server: ${err.message}`)));
        child.once('exit', (code) => reject(new Error(`redis-server on port ${port} exited with ${code}`)));
      });
      failed.catch(() => undefined);
      children.push(child);
      ports.push(port);
      await Promise.race([
        until(
          `redis-server on ${port} answering`,
          async () => (await cli(port, 'ping')).trim() === 'PONG',
          10_000,
        ),
        failed,
      ]);
    }
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...ports.map((p) => `127.0.0.1:${p}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { timeout: 30_000 },
    );
    for (const port of ports) {
      await until(
        `cluster_state:ok on ${port}`,
        async () => /cluster_state:ok/.test(await cli(port, 'cluster', 'info')),
        20_000,
      );
    }
    return { url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`, ports, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Every key the registry can name, with sample arguments for the keys that take one. */
export function everyKey(keys: RedisKeys): string[] {
  const out: string[] = [];
  const walk = (node: object) => {
    for (const [name, value] of Object.entries(node)) {
      if (name === 'queuePrefix' || name === 'all') continue; // a prefix and a pattern, not keys
      if (typeof value === 'string') out.push(value);
      else if (typeof value === 'function') {
        const samples =
          name === 'limiter' || name === 'marker' ? QUEUE_NAMES : name === 'capFull' ? [7] : ['some-model'];
        for (const sample of samples) out.push((value as (arg: unknown) => string)(sample));
      } else walk(value as object);
    }
  };
  walk(keys);
  return out;
}
