import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../bin/mediatag.js', import.meta.url).pathname;

/** Runs `mediatag emulator` as a process, calls `fn` with its URL, then stops it with SIGTERM. */
async function withEmulator(
  args: string[],
  env: Record<string, string>,
  fn: (url: string, stderr: () => string) => Promise<void>,
): Promise<void> {
  const inherited = { ...process.env };
  delete inherited.ASSEMBLYAI_API_KEY;
  const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0', ...args], {
    env: { ...inherited, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await expect.poll(() => stdout, { timeout: 15_000, interval: 100 }).toMatch(/listening on http:\/\/\S+/);
    const url = /listening on (http:\/\/[^\s]+)/.exec(stdout)?.[1] ?? '';
    await fn(url, () => stderr);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

const status = async (url: string, key: string) =>
  (await fetch(`${url}/v2/transcript`, { headers: { authorization: key } })).status;

describe('mediatag emulator: the API key', () => {
  it('accepts ASSEMBLYAI_API_KEY from the environment, so workers in the same shell get no 401', async () => {
    await withEmulator([], { ASSEMBLYAI_API_KEY: 'key-from-the-env-0001' }, async (url, stderr) => {
      expect(await status(url, 'key-from-the-env-0001')).toBe(200);
      expect(await status(url, 'emulator-key')).toBe(401);
      expect(stderr()).toContain('requests must send the key in ASSEMBLYAI_API_KEY');
      expect(stderr()).not.toContain('key-from-the-env-0001');
    });
  }, 30_000);

  it('--api-key wins over the environment, with a warning', async () => {
    await withEmulator(
      ['--api-key', 'key-from-the-flag-0002'],
      { ASSEMBLYAI_API_KEY: 'key-from-the-env-0001' },
      async (url, stderr) => {
        expect(await status(url, 'key-from-the-flag-0002')).toBe(200);
        expect(await status(url, 'key-from-the-env-0001')).toBe(401);
        expect(stderr()).toContain('--api-key differs from ASSEMBLYAI_API_KEY');
      },
    );
  }, 30_000);

  it('without either, the documented emulator-key', async () => {
    await withEmulator([], {}, async (url) => {
      expect(await status(url, 'emulator-key')).toBe(200);
    });
  }, 30_000);
});
