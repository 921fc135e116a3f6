import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findSharedOpenapi, VENDORED_SCHEMA, vendoredText } from '../scripts/vendor-transcript-params.ts';
import {
  checkTranscriptParams,
  describeTranscriptionOptions,
  parseTranscriptionOptions,
} from './transcript-options.ts';

const vendored = readFileSync(VENDORED_SCHEMA, 'utf8');

describe('the vendored transcript request schema', () => {
  it('is what the generator makes of the published spec (or, without it, of its own content)', () => {
    const source = findSharedOpenapi();
    if (source) {
      // Read as JSON: YAML 1.1 would turn the language code `no` into false.
      const openapi = JSON.parse(readFileSync(source, 'utf8'));
      expect(vendoredText(openapi), 'run: npm run vendor-schema -w @mediatag/assemblyai').toBe(vendored);
    } else {
      console.warn('shared/assemblyai-spec/openapi.json not found: checked the vendored schema on its own');
    }
    // Fed back through the generator as a spec of its own, the vendored copy comes out unchanged:
    // it is a complete, generated file, not a hand edit.
    const schema = JSON.parse(vendored);
    const { audio_url, ...optional } = schema.properties;
    const asSpec = {
      components: {
        schemas: {
          ...Object.fromEntries(
            Object.entries(schema.$defs).map(([k, v]) => [
              k,
              JSON.parse(JSON.stringify(v).replaceAll('#/$defs/', '#/components/schemas/')),
            ]),
          ),
          TranscriptParams: {
            allOf: [
              { type: 'object', required: ['audio_url'], properties: { audio_url } },
              { $ref: '#/components/schemas/TranscriptOptionalParams' },
            ],
          },
          TranscriptOptionalParams: JSON.parse(
            JSON.stringify({ type: 'object', properties: optional }).replaceAll(
              '#/$defs/',
              '#/components/schemas/',
            ),
          ),
        },
      },
    };
    expect(vendoredText(asSpec)).toBe(vendored);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(['audio_url']);
    expect(schema.$defs.PiiPolicy.enum).toContain('credit_card_number');
    // `no` (Norwegian) survived as a string.
    expect(schema.$defs.TranscriptLanguageCode.enum).toContain('no');
  });

  it('accepts what mediatag sends and names what is wrong', () => {
    expect(
      checkTranscriptParams({
        audio_url: 'https://cdn.example.com/a.mp3',
        speech_models: ['universal-3-pro', 'universal-2'],
        webhook_url: 'https://mediatag.example.com/webhooks/assemblyai',
        webhook_auth_header_name: 'x-mediatag-webhook-secret',
        webhook_auth_header_value: 'secret',
        speaker_labels: true,
        multichannel: true,
        redact_pii: true,
        redact_pii_policies: ['credit_card_number', 'person_name'],
        redact_pii_sub: 'entity_name',
        language_code: 'no',
      }),
    ).toEqual([]);
    expect(checkTranscriptParams({ speaker_labels: true })).toEqual([
      { field: '(body)', message: "must have required property 'audio_url'" },
    ]);
    expect(
      checkTranscriptParams({ audio_url: 'https://a.example/x.mp3', speakers: 2, multichannel: 'yes' }),
    ).toEqual([
      { field: 'speakers', message: 'is not a field of the transcript request' },
      { field: 'multichannel', message: 'must be boolean' },
    ]);
  });
});

describe('parseTranscriptionOptions', () => {
  it('keeps valid options, keys sorted', () => {
    const parsed = parseTranscriptionOptions({
      speaker_labels: true,
      redact_pii_policies: ['credit_card_number', 'person_name'],
      redact_pii: true,
    });
    expect(parsed).toEqual({
      ok: true,
      options: {
        redact_pii: true,
        redact_pii_policies: ['credit_card_number', 'person_name'],
        speaker_labels: true,
      },
    });
    if (parsed.ok) {
      expect(Object.keys(parsed.options)).toEqual(['redact_pii', 'redact_pii_policies', 'speaker_labels']);
      expect(describeTranscriptionOptions(parsed.options)).toBe(
        'redact_pii (credit_card_number, person_name), speaker_labels',
      );
    }
  });

  it('refuses unknown fields, wrong types and values outside the spec, naming the field', () => {
    expect(parseTranscriptionOptions({ speaker_label: true })).toEqual({
      ok: false,
      problems: [{ field: 'speaker_label', message: 'is not a field of the transcript request' }],
    });
    const wrong = parseTranscriptionOptions({
      speakers_expected: 'two',
      redact_pii: true,
      redact_pii_policies: ['pin'],
    });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) {
      expect(wrong.problems.map((p) => p.field).sort()).toEqual([
        'redact_pii_policies/0',
        'speakers_expected',
      ]);
      expect(wrong.problems.find((p) => p.field === 'speakers_expected')?.message).toBe(
        'must be integer or null',
      );
    }
    expect(parseTranscriptionOptions(['speaker_labels'])).toMatchObject({ ok: false });
  });

  it('refuses the fields mediatag controls, with the reason', () => {
    const parsed = parseTranscriptionOptions({
      audio_url: 'https://a.example/x.mp3',
      webhook_url: 'https://b.example/hook',
      webhook_auth_header_name: 'x',
      webhook_auth_header_value: 'y',
      speech_model: 'best',
    });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.problems.map((p) => p.field)).toEqual([
        'audio_url',
        'webhook_url',
        'webhook_auth_header_name',
        'webhook_auth_header_value',
        'speech_model',
      ]);
      expect(parsed.problems[4]?.message).toContain('use speech_models');
    }
  });

  it('refuses redaction settings that would redact nothing', () => {
    expect(parseTranscriptionOptions({ redact_pii_policies: ['person_name'] })).toEqual({
      ok: false,
      problems: [{ field: 'redact_pii_policies', message: 'has no effect without "redact_pii": true' }],
    });
    expect(parseTranscriptionOptions({ redact_pii: true })).toMatchObject({
      ok: false,
      problems: [{ field: 'redact_pii_policies' }],
    });
  });
});
