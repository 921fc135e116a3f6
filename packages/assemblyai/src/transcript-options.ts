// Transcription options a batch carries (speaker labels, PII redaction, language …), checked
// against the transcript request schema of AssemblyAI's published OpenAPI spec (vendored in
// transcript-params.schema.json) before anything is stored or sent.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import schema from './transcript-params.schema.json' with { type: 'json' };

/** Extra fields of `POST /v2/transcript`, as sent (snake_case, JSON values). */
export type TranscriptionOptions = Record<string, unknown>;

/** One thing wrong with a request body, naming the field. */
export interface OptionProblem {
  field: string;
  message: string;
}

/** Fields mediatag sets for each file itself, or that production refuses: never taken from options. */
export const CONTROLLED_FIELDS: Readonly<Record<string, string>> = {
  audio_url: 'mediatag sets it to each file’s URL',
  webhook_url: 'mediatag sets it from WEBHOOK_BASE_URL',
  webhook_auth_header_name: 'mediatag sets it from WEBHOOK_AUTH_HEADER',
  webhook_auth_header_value: 'mediatag sets it from WEBHOOK_SECRET',
  speech_model: 'AssemblyAI rejects it with 400; use speech_models (a list, in order of preference)',
};

// Any well-formed absolute URL: production itself uses URLs (http://deleted_by_user) that
// stricter `uri` validators refuse.
const urlFormat = { validate: (s: string) => URL.canParse(s) };

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    ajv.addFormat('url', urlFormat);
    // OpenAPI's number formats say how a number is stored, not which numbers are valid.
    ajv.addFormat('float', { type: 'number', validate: () => true });
    compiled = ajv.compile(schema);
  }
  return compiled;
}

function describe(error: ErrorObject): string {
  const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
  if (error.keyword === 'enum' && Array.isArray(allowed)) {
    const shown = allowed.slice(0, 12).join(', ');
    return `must be one of ${shown}${allowed.length > 12 ? ', …' : ''}`;
  }
  const type = (error.params as { type?: string | string[] }).type;
  if (error.keyword === 'type' && type !== undefined) return `must be ${[type].flat().join(' or ')}`;
  return error.message ?? 'is invalid';
}

/**
 * Checks a complete request body against the published schema: an unknown field, a wrong type
 * or a value outside an enum is reported once per field (the field named by its JSON path,
 * e.g. `redact_pii_policies/1`). Empty when the body is valid.
 */
export function checkTranscriptParams(body: unknown): OptionProblem[] {
  const validate = validator();
  if (validate(body)) return [];
  const byField = new Map<string, string[]>();
  for (const error of validate.errors ?? []) {
    // A oneOf/anyOf summary adds nothing to the errors of its branches.
    if (error.keyword === 'oneOf' || error.keyword === 'anyOf') continue;
    const extra = (error.params as { additionalProperty?: string }).additionalProperty;
    const path = error.instancePath.replace(/^\//, '');
    const field = extra === undefined ? path || '(body)' : path ? `${path}/${extra}` : extra;
    const message = extra === undefined ? describe(error) : 'is not a field of the transcript request';
    const messages = byField.get(field) ?? [];
    if (!messages.includes(message)) messages.push(message);
    byField.set(field, messages);
  }
  return [...byField].map(([field, messages]) => {
    // `language_code` is an enum or any string: its enum branch's complaint only misleads.
    const types = messages.filter((m) => m.startsWith('must be ') && !m.startsWith('must be one of'));
    const shown = types.length > 0 && types.length < messages.length ? types : messages;
    return { field, message: shown.join(' or ') };
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a batch's transcription options: a JSON object of transcript request fields, none
 * of the fields mediatag controls, valid against the published schema, and consistent
 * (policies only with `redact_pii: true`, which needs at least one). Returns the options with
 * keys sorted (the stored, compared form), or the problems found.
 */
export function parseTranscriptionOptions(
  value: unknown,
): { ok: true; options: TranscriptionOptions } | { ok: false; problems: OptionProblem[] } {
  if (!isRecord(value)) {
    return { ok: false, problems: [{ field: '(options)', message: 'must be a JSON object of fields' }] };
  }
  const problems: OptionProblem[] = [];
  for (const [field, reason] of Object.entries(CONTROLLED_FIELDS)) {
    if (field in value)
      problems.push({ field, message: `cannot be set in transcription options: ${reason}` });
  }
  const rest = Object.fromEntries(Object.entries(value).filter(([key]) => !(key in CONTROLLED_FIELDS)));
  // A placeholder audio_url makes the options a complete request for the schema.
  problems.push(...checkTranscriptParams({ ...rest, audio_url: 'https://example.com/audio.mp3' }));
  if (problems.length === 0) {
    const redact = value.redact_pii === true;
    const policies = value.redact_pii_policies;
    if (!redact && (policies !== undefined || value.redact_pii_sub !== undefined)) {
      // The API would accept the body and redact nothing: refuse a silent no-op.
      const field = policies !== undefined ? 'redact_pii_policies' : 'redact_pii_sub';
      problems.push({ field, message: 'has no effect without "redact_pii": true' });
    } else if (redact && (!Array.isArray(policies) || policies.length === 0)) {
      problems.push({
        field: 'redact_pii_policies',
        message: 'is required with "redact_pii": true (which kinds of PII to redact, e.g. ["person_name"])',
      });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, options: canonical(value) };
}

/** The options with keys sorted at every level: equal options have equal JSON. */
export function canonical(options: TranscriptionOptions): TranscriptionOptions {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : isRecord(v)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort(v[k])]),
          )
        : v;
  return sort(options) as TranscriptionOptions;
}

/**
 * One line for people: `speaker_labels, redact_pii (credit_card_number, person_name)`. A true
 * flag is its name, anything else `name=value`.
 */
export function describeTranscriptionOptions(options: TranscriptionOptions | null): string {
  if (options === null || Object.keys(options).length === 0) return 'none';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (key === 'redact_pii_policies' && options.redact_pii === true) continue;
    if (key === 'redact_pii' && value === true && Array.isArray(options.redact_pii_policies)) {
      parts.push(`redact_pii (${options.redact_pii_policies.join(', ')})`);
    } else if (value === true) parts.push(key);
    else if (Array.isArray(value)) parts.push(`${key}=${value.join(',')}`);
    else parts.push(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  return parts.join(', ');
}
