// `mediatag serve` (the webhook receiver) as a child process, when this checkout has it.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { BIN, exited, ROOT, runMediatag, Tail, waitUntil } from './proc.ts';

/** True when `mediatag --help` lists a `serve` command. */
export async function serveAvailable(env: Record<string, string>): Promise<boolean> {
  const run = await runMediatag(['--help'], { env, timeoutMs: 60_000 });
  return /^\s+serve\s/m.test(run.stdout + run.stderr);
}

/** A free TCP port on 127.0.0.1 (released before use: good enough on a test machine). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Webhook settings for workers and `serve`: the public URL is `serve` on loopback. */
export async function webhookEnv(): Promise<Record<string, string>> {
  const port = await freePort();
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    WEBHOOK_BASE_URL: `http://127.0.0.1:${port}`,
    WEBHOOK_SECRET: randomBytes(24).toString('hex'),
  };
}

/** A running `mediatag serve`. */
export interface ServeProc {
  child: ChildProcess;
  url: string;
  tail: Tail;
  stop(): Promise<void>;
}

/** Spawns `mediatag serve` and waits until /healthz answers. */
export async function startServe(env: Record<string, string>): Promise<ServeProc> {
  const child = spawn(process.execPath, [BIN, 'serve'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail = new Tail();
  child.stdout?.on('data', (c: Buffer) => tail.push(c));
  child.stderr?.on('data', (c: Buffer) => tail.push(c));
  const url = env.WEBHOOK_BASE_URL ?? `http://127.0.0.1:${env.PORT}`;
  const exit = exited(child);
  try {
    await waitUntil(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`mediatag serve exited ${child.exitCode}:\n${tail.text()}`);
        try {
          const res = await fetch(`${url}/healthz`);
          await res.body?.cancel();
          return res.status === 200;
        } catch {
          return false;
        }
      },
      30_000,
      'mediatag serve /healthz',
      200,
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    child,
    url,
    tail,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      await exit;
      clearTimeout(timer);
    },
  };
}
