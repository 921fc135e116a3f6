// Every response body the project relies on is validated against AssemblyAI's published schemas
// (REST v2 openapi.json, llm-gateway.yml), vendored in packages/emulator/spec/. Where production
// differs from the spec, the production behaviour is asserted instead: the test "production
// differences from the spec" says which.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type Emulator, LOOKUP_ERROR, startEmulator } from './index.ts';
import { MEDIA_TAXONOMY } from './samples/index.ts';
import { type Body, client, taggingPrompt, waitFor } from './testing.ts';

/** The vendored copy of the published spec files. */
const specDir = fileURLToPath(new URL('../spec/', import.meta.url));

/**
 * A shared/assemblyai-spec/ folder in any folder above this file, where a checkout keeps the
 * published files it was given (not part of the repository); null when there is none.
 */
function findSharedSpecDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (dir !== parse(dir).root) {
    const candidate = join(dir, 'shared', 'assemblyai-spec');
    if (existsSync(join(candidate, 'openapi.json'))) return candidate;
    dir = dirname(dir);
  }
  return null;
}

describe('the vendored spec', () => {
  it('is the published one, byte for byte, wherever a shared copy is present', () => {
    for (const name of ['openapi.json', 'llm-gateway.yml']) {
      const vendored = readFileSync(join(specDir, name), 'utf8');
      expect(vendored.length).toBeGreaterThan(1000);
      const shared = findSharedSpecDir();
      if (shared) expect(vendored).toBe(readFileSync(join(shared, name), 'utf8'));
    }
  });
});

function buildValidator(dir: string) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // OpenAPI's `url` is not JSON Schema's; ajv-formats' version rejects localhost and underscores,
  // which production itself sends (`http://deleted_by_user`). Any parseable absolute URL passes.
  ajv.addFormat('url', { validate: (s: string) => URL.canParse(s) });
  for (const numeric of ['double', 'float', 'int32', 'int64']) ajv.addFormat(numeric, true);
  const rest = JSON.parse(readFileSync(join(dir, 'openapi.json'), 'utf8'));
  const gateway = parseYaml(readFileSync(join(dir, 'llm-gateway.yml'), 'utf8'));
  ajv.addSchema({ $id: 'rest.json', components: rest.components });
  ajv.addSchema({ $id: 'gateway.json', components: gateway.components });
  return (doc: 'rest' | 'gateway', name: string, body: Body): void => {
    const validate = ajv.getSchema(`${doc}.json#/components/schemas/${name}`);
    if (!validate) throw new Error(`schema ${name} not found in ${doc}`);
    const ok = validate(body);
    expect(ok, `${name}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 400)}`).toBe(
      true,
    );
  };
}

describe('responses validate against the published AssemblyAI schemas', () => {
  let emu: Emulator;
  let api: ReturnType<typeof client>;
  let check: ReturnType<typeof buildValidator>;

  beforeAll(async () => {
    check = buildValidator(specDir);
    // 60 ms per emulated second: ~30 ms queued, ~200 ms processing, slow enough to observe each status.
    emu = await startEmulator({ timeScale: 60, processing: { jitter: 0 } });
    api = client(emu.url);
  });
  afterAll(() => emu.close());

  it('Transcript in queued, processing, completed and error', async () => {
    const created = await api.submit(`${emu.url}/samples/health-01.mp3`, {
      speech_models: ['universal-3-pro', 'universal-2'],
      webhook_url: 'http://127.0.0.1:9/hook',
      webhook_auth_header_name: 'x-secret',
      webhook_auth_header_value: 'shh',
    });
    expect(created.status).toBe(200);
    expect(created.body.status).toBe('queued');
    expect(created.body.webhook_auth).toBe(true);
    expect(created.text).not.toContain('shh');
    check('rest', 'Transcript', created.body);
    const path = `/v2/transcript/${created.body.id}`;
    const processing = await waitFor(async () => {
      const r = await api.get(path);
      return r.body.status === 'processing' && r.body;
    });
    check('rest', 'Transcript', processing);
    const completed = await waitFor(async () => {
      const r = await api.get(path);
      return r.body.status === 'completed' && r.body;
    });
    check('rest', 'Transcript', completed);
    expect(Number.isInteger(completed.audio_duration)).toBe(true);
    expect(completed.words.length).toBeGreaterThan(50);
    expect(completed.speech_model_used).toBe('universal-3-pro');
    // The validator is not vacuous: an unknown field breaks `additionalProperties: false`.
    expect(() => check('rest', 'Transcript', { ...completed, created: 'now' })).toThrow();

    const broken = await api.submit('https://media.example.com/broken/episode.mp3');
    const errored = await waitFor(async () => {
      const r = await api.get(`/v2/transcript/${broken.body.id}`);
      return r.body.status === 'error' && r.body;
    });
    check('rest', 'Transcript', errored);
    expect(errored.error).toMatch(
      /^Download error, unable to download https:\/\/media\.example\.com\/broken\//,
    );
    expect(errored.text).toBeNull();

    const deleted = await api.del(path);
    check('rest', 'Transcript', deleted.body);
  });

  it('Transcript with speaker labels, multichannel, PII redaction and a language', async () => {
    for (const extra of [
      { speaker_labels: true, redact_pii: true, redact_pii_policies: ['person_name'], language_code: 'es' },
      {
        multichannel: true,
        redact_pii: true,
        redact_pii_policies: ['email_address'],
        redact_pii_sub: 'entity_name',
      },
      { multichannel: true, speaker_labels: true, language_detection: true },
    ]) {
      const created = await api.submit(`${emu.url}/samples/account-issues-01.mp3`, extra);
      expect(created.status, created.text).toBe(200);
      check('rest', 'Transcript', created.body);
      const completed = await waitFor(async () => {
        const r = await api.get(`/v2/transcript/${created.body.id}`);
        return r.body.status === 'completed' && r.body;
      });
      check('rest', 'Transcript', completed);
      expect(completed.utterances.length).toBeGreaterThan(1);
    }
    // An unknown field is an Error body naming it.
    const unknown = await api.submit(`${emu.url}/samples/account-issues-01.mp3`, { speakers: 2 });
    expect(unknown.status).toBe(400);
    check('rest', 'Error', unknown.body);
  });

  it('TranscriptList, UploadedFile and the Error body', async () => {
    const list = await api.get('/v2/transcript?limit=5');
    expect(list.status).toBe(200);
    check('rest', 'TranscriptList', list.body);
    const upload = await api.post('/v2/upload', Buffer.from('not really audio'));
    check('rest', 'UploadedFile', upload.body);
    const unauthorized = await client(emu.url, 'wrong').get('/v2/transcript');
    expect(unauthorized.status).toBe(401);
    check('rest', 'Error', unauthorized.body);
  });

  it('production differences from the spec (lookup error, optional speech_models, no speech_model)', async () => {
    // Unknown id: production answers 400 with a lookup error, not the spec's 404.
    const missing = await api.get('/v2/transcript/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: LOOKUP_ERROR });
    check('rest', 'Error', missing.body);
    // speech_models is required by the spec but defaulted by production.
    const noModels = await api.submit(`${emu.url}/samples/sports-01.mp3`);
    expect(noModels.status).toBe(200);
    expect(noModels.body.speech_model_used).toBe('universal-3-pro');
    // The singular speech_model is rejected.
    const singular = await api.submit(`${emu.url}/samples/sports-01.mp3`, { speech_model: 'best' });
    expect(singular.status).toBe(400);
    check('rest', 'Error', singular.body);
  });

  it('gateway Response and ErrorResponse', async () => {
    const created = await api.submit(`${emu.url}/samples/travel-01.mp3`);
    await waitFor(
      async () => (await api.get(`/v2/transcript/${created.body.id}`)).body.status === 'completed',
    );
    const ok = await api.post('/v1/chat/completions', {
      model: 'claude-sonnet-4-5-20250929',
      transcript_id: created.body.id,
      messages: [{ role: 'user', content: taggingPrompt(MEDIA_TAXONOMY) }],
      max_tokens: 20,
      temperature: 0,
    });
    expect(ok.status).toBe(200);
    check('gateway', 'Response', ok.body);
    expect(ok.body.choices[0].message.content).toBe('Travel');
    const notFound = await api.post('/v1/chat/completions', {
      model: 'claude-sonnet-4-5-20250929',
      transcript_id: 'nope',
      prompt: 'Summarise {{ transcript }}',
    });
    expect(notFound.status).toBe(404);
    check('gateway', 'ErrorResponse', notFound.body);
    const noModel = await api.post('/v1/chat/completions', { prompt: 'hi' });
    expect(noModel.status).toBe(400);
    check('gateway', 'ErrorResponse', noModel.body);
  });
});
