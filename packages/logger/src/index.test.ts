import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './index.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, destination };
}

const KEY = 'sk-test-0123456789abcdef';

describe('createLogger', () => {
  it('writes one JSON object per line with structured fields', () => {
    const { lines, destination } = capture();
    const log = createLogger({ destination }).child({ module: 'submit' });
    log.info({ jobId: 'tx-1', url: 'https://a/b.mp3' }, 'submitted');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? '');
    expect(line).toMatchObject({ module: 'submit', jobId: 'tx-1', msg: 'submitted', level: 30 });
  });

  it('never writes an API key, whether in a field, a header or a message', () => {
    const { lines, destination } = capture();
    const log = createLogger({ destination, secrets: [KEY] });
    log.info({ apiKey: KEY, config: { ASSEMBLYAI_API_KEY: KEY } }, 'config');
    log.info({ req: { headers: { authorization: KEY } } }, 'request');
    log.info({ headers: { authorization: KEY } }, 'headers');
    log.warn({ webhook: { webhook_auth_header_value: KEY } }, 'webhook');
    log.error({ err: new Error(`upstream said key ${KEY} is bad`) }, `failed with ${KEY}`);
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).not.toContain(KEY);
    expect(lines.join('\n')).toContain('[REDACTED]');
  });
});
