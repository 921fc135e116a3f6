import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EmulatorUsageError, parseEmulatorArgs } from './cli.ts';

describe('emulator CLI', () => {
  it('parses flags with 8089 as the default port', () => {
    expect(parseEmulatorArgs([])).toEqual({ port: 8089, help: false });
    expect(
      parseEmulatorArgs([
        '--port',
        '0',
        '--host=0.0.0.0',
        '--api-key',
        'k',
        '--concurrency',
        '5',
        '--time-scale',
        '0.5',
      ]),
    ).toEqual({ port: 0, host: '0.0.0.0', apiKey: 'k', concurrency: 5, timeScale: 0.5, help: false });
    expect(() => parseEmulatorArgs(['--port', 'x'])).toThrow(EmulatorUsageError);
    expect(() => parseEmulatorArgs(['--bogus'])).toThrow(EmulatorUsageError);
  });

  it('prints its URL, serves, and exits cleanly on SIGTERM', async () => {
    const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', '--api-key', 'cli-key'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line.toString())?.[1];
      expect(url).toBeDefined();
      const res = await fetch(`${url}/v2/transcript`, { headers: { authorization: 'cli-key' } });
      expect(res.status).toBe(200);
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
