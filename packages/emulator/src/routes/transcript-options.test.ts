// Transcription options as AssemblyAI takes them: what the emulator refuses (the published
// request schema, the retired speech_model, redaction without policies), what it shows
// (redacted text, speaker and per-channel utterances, the language), and what it recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../index.ts';
import { SAMPLES } from '../samples/index.ts';
import { type Body, client, waitFor } from '../testing.ts';
import { redactText } from '../transcripts/redact.ts';

// The account-lockout call: "my name is Priya", "j dot alvarez at example dot com".
const lockout = SAMPLES.find((s) => s.text.includes('my name is Priya'));
if (!lockout) throw new Error('sample with a name and an email missing');

let emu: Emulator;
let api: ReturnType<typeof client>;
beforeAll(async () => {
  emu = await startEmulator({ timeScale: 0.5, processing: { jitter: 0 } });
  api = client(emu.url);
});
afterAll(() => emu.close());

async function completed(extra: Record<string, unknown>): Promise<Body> {
  const created = await api.submit(`${emu.url}/samples/${lockout?.id}.mp3`, extra);
  expect(created.status, created.text).toBe(200);
  return waitFor(async () => {
    const r = await api.get(`/v2/transcript/${created.body.id}`);
    return r.body.status === 'completed' && r.body;
  });
}

describe('POST /v2/transcript refuses what AssemblyAI refuses', () => {
  it.each([
    [{ speaker_label: true }, 'speaker_label is not a field of the transcript request'],
    [{ speaker_labels: 'yes' }, 'speaker_labels'],
    [{ multichannel: 1 }, 'multichannel must be boolean'],
    [{ redact_pii: true, redact_pii_policies: ['pin_code'] }, 'redact_pii_policies/0 must be one of'],
    [{ redact_pii: true, redact_pii_policies: ['person_name'], redact_pii_sub: 'stars' }, 'redact_pii_sub'],
    [{ speakers_expected: 'two' }, 'speakers_expected must be integer or null'],
    [{ speech_model: 'best' }, 'speech_model is deprecated'],
    [{ redact_pii: true }, 'redact_pii_policies is required when redact_pii is enabled'],
    [{ redact_pii: true, redact_pii_policies: [] }, 'redact_pii_policies is required'],
  ])('%j → 400 naming the field', async (extra, message) => {
    const before = emu.stats().submissions;
    const r = await api.submit(`${emu.url}/samples/${lockout.id}.mp3`, extra);
    expect(r.status).toBe(400);
    expect(r.body.error).toContain(message);
    expect(emu.stats().submissions).toBe(before);
  });

  it('accepts speaker_labels with multichannel (per-channel diarization)', async () => {
    const body = await completed({ speaker_labels: true, multichannel: true });
    expect(body.audio_channels).toBe(2);
    expect(new Set(body.utterances.map((u: Body) => u.speaker))).toEqual(new Set(['1A', '2A']));
    expect(new Set(body.utterances.map((u: Body) => u.channel))).toEqual(new Set(['1', '2']));
  });
});

describe('what the emulator shows of the options', () => {
  it('redacts names and e-mail addresses with hash (the default) or entity_name', async () => {
    const hashed = await completed({ redact_pii: true, redact_pii_policies: ['person_name'] });
    expect(hashed.text).toContain('my name is #####,');
    expect(hashed.text).not.toContain('Priya');
    expect(hashed.redact_pii).toBe(true);
    expect(hashed.redact_pii_policies).toEqual(['person_name']);
    expect(hashed.redact_pii_sub).toBe('hash');
    expect(hashed.words.map((w: Body) => w.text)).not.toContain('Priya,');
    const named = await completed({
      redact_pii: true,
      redact_pii_policies: ['person_name', 'email_address'],
      redact_pii_sub: 'entity_name',
    });
    expect(named.text).toContain('my name is [PERSON_NAME],');
    expect(named.text).toContain("it's [EMAIL_ADDRESS].");
    expect(named.text).not.toContain('alvarez');
    // Without redact_pii the policies redact nothing: nothing documents a refusal.
    const plain = await completed({ redact_pii_policies: ['person_name'] });
    expect(plain.text).toBe(lockout.text);
    expect(plain.redact_pii).toBe(false);
  });

  it('speaker_labels: utterances of speakers A and B taking turns, words labelled', async () => {
    const body = await completed({ speaker_labels: true });
    expect(body.speaker_labels).toBe(true);
    expect(body.utterances.length).toBeGreaterThan(4);
    body.utterances.forEach((u: Body, i: number) => {
      expect(u.speaker).toBe(i % 2 === 0 ? 'A' : 'B');
      expect(u.words.every((w: Body) => w.speaker === u.speaker)).toBe(true);
      expect(u.text).toBe(u.words.map((w: Body) => w.text).join(' '));
    });
    expect(body.utterances.map((u: Body) => u.text).join(' ')).toBe(body.text);
    expect(body.audio_channels).toBeUndefined();
  });

  it('multichannel: utterances and words per channel, speaker named by the channel', async () => {
    const body = await completed({ multichannel: true });
    expect(body.multichannel).toBe(true);
    expect(body.audio_channels).toBe(2);
    body.utterances.forEach((u: Body, i: number) => {
      expect(u.channel).toBe(i % 2 === 0 ? '1' : '2');
      expect(u.speaker).toBe(u.channel);
    });
    expect(body.words.every((w: Body) => w.channel === '1' || w.channel === '2')).toBe(true);
  });

  it('echoes the language code, or the detected language', async () => {
    expect((await completed({ language_code: 'es' })).language_code).toBe('es');
    const detected = await completed({ language_detection: true });
    expect(detected.language_detection).toBe(true);
    expect(detected.language_code).toBe('en');
    const plain = await completed({});
    expect(plain.utterances).toBeNull();
    expect(plain.words.every((w: Body) => w.speaker === null)).toBe(true);
  });
});

it('keeps the bodies it received, refused ones too, with the webhook secret masked', async () => {
  emu.resetStats();
  const url = `${emu.url}/samples/${lockout.id}.mp3`;
  await api.submit(url, {
    speaker_labels: true,
    webhook_url: 'http://127.0.0.1:9/hook',
    webhook_auth_header_name: 'x-secret',
    webhook_auth_header_value: 'shh',
  });
  await api.submit(url, { speaker_label: true });
  const expected = [
    {
      audio_url: url,
      speaker_labels: true,
      webhook_url: 'http://127.0.0.1:9/hook',
      webhook_auth_header_name: 'x-secret',
      webhook_auth_header_value: '***',
    },
    { audio_url: url, speaker_label: true },
  ];
  expect(emu.receivedSubmissions()).toEqual(expected);
  const listed = await api.get('/_emulator/submissions');
  expect(listed.body).toEqual(expected);
  expect(listed.text).not.toContain('shh');
});

describe('redactText', () => {
  const text = 'Card 4111 1111 1111 1111, call (555) 123-4567, SSN 123-45-6789, mail a.b@example.com.';
  it('hash keeps separators; entity_name names the policy', () => {
    const all = ['credit_card_number', 'phone_number', 'us_social_security_number', 'email_address'];
    expect(redactText(text, { policies: all, sub: 'hash' })).toBe(
      'Card #### #### #### ####, call (###) ###-####, SSN ###-##-####, mail #.#@#######.###.',
    );
    expect(redactText(text, { policies: all, sub: 'entity_name' })).toBe(
      'Card [CREDIT_CARD_NUMBER], call [PHONE_NUMBER], SSN [US_SOCIAL_SECURITY_NUMBER], mail [EMAIL_ADDRESS].',
    );
  });
  it('redacts only the policies asked for', () => {
    expect(redactText(text, { policies: ['credit_card_number'], sub: 'entity_name' })).toBe(
      'Card [CREDIT_CARD_NUMBER], call (555) 123-4567, SSN 123-45-6789, mail a.b@example.com.',
    );
    expect(redactText(text, { policies: ['medical_condition'], sub: 'hash' })).toBe(text);
  });
});
