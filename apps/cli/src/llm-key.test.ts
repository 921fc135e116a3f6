import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SAMPLES } from '@mediatag/emulator/samples';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, sampleCopies, startHarness } from './harness.ts';
import { runCli } from './testing.ts';

/** An OpenAI-compatible endpoint that is not AssemblyAI's: records what it was sent. */
async function foreignGateway(answer: string) {
  const seen: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'x',
          choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 100, completion_tokens: 2, total_tokens: 102 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let h: Harness | undefined;
let gateway: Awaited<ReturnType<typeof foreignGateway>> | undefined;
afterEach(async () => {
  await h?.close();
  await gateway?.close();
  h = undefined;
  gateway = undefined;
});

describe('the AssemblyAI key goes only where it belongs', () => {
  it('another OpenAI-compatible gateway gets LLM_API_KEY as Bearer and never the AssemblyAI key', async () => {
    gateway = await foreignGateway('Sports');
    const llmKey = 'sk-other-provider-key';
    h = await startHarness({ env: { LLM_API_KEY: llmKey } });
    h.env.LLM_GATEWAY_URL = gateway.url;
    const ids = SAMPLES.filter((s) => s.taxonomy === 'media')
      .map((s) => s.id)
      .slice(0, 3);
    await h.cli(['enqueue', '-', '--batch', 'foreign'], sampleCopies(h.emulator.url, ids, 1).join('\n'));
    await h.startWorkers();
    const p = await h.waitFinal('foreign');
    expect(p).toMatchObject({ total: 3, tagged: 3 });
    expect(gateway.seen.length).toBeGreaterThanOrEqual(3);
    const aaiKey = h.env.ASSEMBLYAI_API_KEY as string;
    for (const request of gateway.seen) {
      expect(request.headers.authorization).toBe(`Bearer ${llmKey}`);
      expect(JSON.stringify(request.headers)).not.toContain(aaiKey);
      expect(request.body).not.toContain(aaiKey);
      // Another endpoint cannot fetch the transcript: its text is inlined, no transcript_id.
      expect(JSON.parse(request.body).transcript_id).toBeUndefined();
    }
  }, 60_000);

  it('a foreign gateway without LLM_API_KEY is refused before anything starts: one line, exit 2', async () => {
    const run = await runCli(['worker', 'all'], {
      LLM_GATEWAY_URL: 'https://llm.example.com',
      ASSEMBLYAI_API_KEY: 'aai-key-12345',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/never',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      "mediatag: LLM_GATEWAY_URL https://llm.example.com is not AssemblyAI's: set LLM_API_KEY for it (the AssemblyAI key is never sent there)\n",
    );
  });
});
