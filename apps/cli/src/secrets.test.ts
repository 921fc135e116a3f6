import { SAMPLES } from '@mediatag/emulator/samples';
import { afterAll, describe, expect, it } from 'vitest';
import { type Harness, sampleCopies, startHarness } from './harness.ts';

const KEY = 'sk-live-7f3c9e21d4b8a6f0e5c2b9d1';
let h: Harness | undefined;
afterAll(async () => {
  await h?.close();
});

describe('the API key never reaches logs, errors, Postgres or exports', () => {
  it('holds through a run with failures, at debug log level', async () => {
    h = await startHarness({ emulator: { apiKey: KEY }, env: { ASSEMBLYAI_API_KEY: KEY } });
    h.emulator.setFaults({ http500Rate: 0.2, garbageAnswerRate: 0.3 });
    const urls = [
      ...sampleCopies(
        h.emulator.url,
        SAMPLES.slice(0, 10).map((s) => s.id),
        2,
      ),
      `${h.emulator.url}/broken/x.mp3`,
    ];
    await h.cli(['enqueue', '-', '--batch', 'secret'], urls.join('\n'));
    const worker = h.spawnWorker({ LOG_LEVEL: 'debug' });
    let logs = '';
    worker.stderr?.on('data', (chunk: Buffer) => {
      logs += chunk.toString();
    });
    await h.waitFinal('secret', 120_000);
    worker.kill('SIGTERM');
    await new Promise((resolve) => worker.once('exit', resolve));

    expect(logs.length).toBeGreaterThan(1000);
    expect(logs).not.toContain(KEY);
    const dump = await h.db.pool.query(
      `SELECT (SELECT coalesce(string_agg(row_to_json(m)::text, ''), '') FROM media_files m) ||
              (SELECT coalesce(string_agg(row_to_json(r)::text, ''), '') FROM tag_results r) ||
              (SELECT coalesce(string_agg(row_to_json(b)::text, ''), '') FROM batches b) AS text`,
    );
    expect(dump.rows[0].text).toContain('Download error');
    expect(dump.rows[0].text).not.toContain(KEY);
    for (const format of ['csv', 'jsonl']) {
      const out = await h.cli(['results', '--batch', 'secret', '--format', format]);
      expect(out.stdout).not.toContain(KEY);
    }
    const status = await h.cli(['status', '--batch', 'secret', '--json']);
    expect(status.stdout + status.stderr).not.toContain(KEY);
  }, 180_000);
});
