import type { ServerResponse } from 'node:http';
import { checkTranscriptParams } from '@mediatag/assemblyai/transcript-options';
import type { EmulatorContext } from '../context.ts';
import { parseJsonObject, sendError, sendJson } from '../core/http-io.ts';
import { downloadError, resolveAudio } from '../transcripts/content.ts';
import { listItem, type SubmitRequest, type TranscriptStatus, transcriptBody } from '../transcripts/model.ts';
import { redactText, type Substitution } from '../transcripts/redact.ts';

/** Production's answer for an unknown transcript id: 400, although the published spec says 404. */
export const LOOKUP_ERROR = 'Transcript lookup error, transcript id not found';
const DEFAULT_SPEECH_MODEL = 'universal-3-pro';
const STATUSES: readonly TranscriptStatus[] = ['queued', 'processing', 'completed', 'error'];

type Parsed = { ok: true; request: SubmitRequest } | { ok: false; message: string };

function httpUrl(value: string): URL | null {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/** Validate a submit body the way production does for the fields this project sends. */
export function parseSubmit(body: Record<string, unknown>): Parsed {
  const fail = (message: string): Parsed => ({ ok: false, message });
  if ('speech_model' in body) {
    return fail(
      'speech_model is deprecated. Use "speech_models" instead. See documentation: https://www.assemblyai.com/docs/pre-recorded-audio/select-the-speech-model',
    );
  }
  const audioUrl = body.audio_url;
  if (typeof audioUrl !== 'string' || audioUrl.trim() === '') {
    return fail(
      'audio_url is required: point it at a publicly accessible audio file or at a URL returned by the upload endpoint',
    );
  }
  if (!httpUrl(audioUrl)) return fail(`Invalid audio_url "${audioUrl}": it must be an http or https URL`);
  const models = body.speech_models;
  if (
    models !== undefined &&
    models !== null &&
    (!Array.isArray(models) || models.length === 0 || !models.every((m) => typeof m === 'string' && m !== ''))
  ) {
    return fail(
      '"speech_models" must be a non-empty list of speech model names, e.g. ["universal-3-pro", "universal-2"]',
    );
  }
  for (const key of ['punctuate', 'format_text', 'language_detection', 'speaker_labels']) {
    if (body[key] !== undefined && body[key] !== null && typeof body[key] !== 'boolean') {
      return fail(`${key} must be a Boolean`);
    }
  }
  for (const key of [
    'language_code',
    'webhook_url',
    'webhook_auth_header_name',
    'webhook_auth_header_value',
  ]) {
    if (body[key] !== undefined && body[key] !== null && typeof body[key] !== 'string') {
      return fail(`${key} must be a string`);
    }
  }
  // Everything else the published request schema says: unknown fields, wrong types, values
  // outside an enum (a PII policy that does not exist) are refused, naming the field.
  const problem = checkTranscriptParams(body)[0];
  if (problem) return fail(`Invalid request: ${problem.field} ${problem.message}`);
  // The PII redaction guide calls the policies required when redaction is on. Policies sent
  // without `redact_pii: true` are accepted and redact nothing, as nothing documents otherwise.
  const policies = Array.isArray(body.redact_pii_policies) ? (body.redact_pii_policies as string[]) : [];
  if (body.redact_pii === true && policies.length === 0) {
    return fail(
      'redact_pii_policies is required when redact_pii is enabled: list the PII policies to redact',
    );
  }
  const str = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : null);
  const webhookUrl = str('webhook_url');
  if (webhookUrl !== null && !httpUrl(webhookUrl)) return fail(`Invalid webhook_url "${webhookUrl}"`);
  const name = str('webhook_auth_header_name');
  const value = str('webhook_auth_header_value');
  return {
    ok: true,
    request: {
      audioUrl,
      speechModels: Array.isArray(models) ? (models as string[]) : null,
      languageCode: str('language_code'),
      languageDetection: body.language_detection === true,
      punctuate: body.punctuate !== false,
      formatText: body.format_text !== false,
      speakerLabels: body.speaker_labels === true,
      multichannel: body.multichannel === true,
      redaction:
        body.redact_pii === true
          ? { policies, sub: (str('redact_pii_sub') ?? 'hash') as Substitution }
          : null,
      webhookUrl,
      // Only a complete pair is sent with webhooks.
      webhookAuthHeaderName: name !== null && value !== null ? name : null,
      webhookAuthHeaderValue: name !== null && value !== null ? value : null,
    },
  };
}

/** POST /v2/transcript. */
export function createTranscript(ctx: EmulatorContext, bodyText: string, res: ServerResponse): void {
  const body = parseJsonObject(bodyText);
  if (!body) {
    sendError(res, 400, 'Invalid JSON body: expected a JSON object');
    return;
  }
  ctx.received(body);
  const parsed = parseSubmit(body);
  if (!parsed.ok) {
    sendError(res, 400, parsed.message);
    return;
  }
  const { request } = parsed;
  const url = new URL(request.audioUrl);
  const content = resolveAudio(request.audioUrl, url.pathname, ctx.uploads, new URL(ctx.baseUrl()).origin);
  const { transcriptErrorRate } = ctx.options().faults;
  if (content.failure === null && transcriptErrorRate > 0 && ctx.random() < transcriptErrorRate) {
    content.failure = downloadError(request.audioUrl);
    ctx.stats.faults.transcriptError++;
  }
  // Redaction works on the text: words and utterances are cut from it.
  if (request.redaction) content.text = redactText(content.text, request.redaction);
  const record = ctx.engine.submit(request, content, request.speechModels?.[0] ?? DEFAULT_SPEECH_MODEL);
  sendJson(res, 200, transcriptBody(record));
}

/** GET /v2/transcript/:id. */
export function getTranscript(ctx: EmulatorContext, id: string, res: ServerResponse): void {
  ctx.stats.count.getsTotal++;
  const record = ctx.engine.get(id);
  // A deleted transcript is gone for good: production answers it like an id it never had.
  if (!record || record.deleted) {
    sendError(res, 400, LOOKUP_ERROR);
    return;
  }
  ctx.stats.gotTranscript(record);
  sendJson(res, 200, transcriptBody(record));
}

/** DELETE /v2/transcript/:id: scrubs text and words, keeps the object. */
export function deleteTranscript(ctx: EmulatorContext, id: string, res: ServerResponse): void {
  const result = ctx.engine.delete(id);
  if (result === undefined) sendError(res, 400, LOOKUP_ERROR);
  else if (result === 'in-progress') {
    sendError(
      res,
      400,
      'Transcript is still in progress; it can be deleted once its status is completed or error',
    );
  } else sendJson(res, 200, transcriptBody(result));
}

/** GET /v2/transcript?limit=&before_id=&after_id=&status=: newest first, prev_url = older page. */
export function listTranscripts(
  ctx: EmulatorContext,
  query: URLSearchParams | null,
  res: ServerResponse,
): void {
  const q = query ?? new URLSearchParams();
  const limitText = q.get('limit');
  const limit = limitText === null ? 10 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
    sendError(res, 400, 'limit must be an integer between 1 and 200');
    return;
  }
  const status = q.get('status');
  if (status !== null && !STATUSES.includes(status as TranscriptStatus)) {
    sendError(res, 400, `status must be one of ${STATUSES.join(', ')}`);
    return;
  }
  const page = ctx.engine.list(
    limit,
    q.get('before_id'),
    q.get('after_id'),
    status as TranscriptStatus | null,
  );
  if (!page) {
    sendError(res, 400, LOOKUP_ERROR);
    return;
  }
  const base = `${ctx.baseUrl()}/v2/transcript`;
  const keep = status === null ? '' : `&status=${status}`;
  const newest = page.items[0];
  const oldest = page.items[page.items.length - 1];
  const current = q.toString();
  sendJson(res, 200, {
    page_details: {
      limit,
      result_count: page.items.length,
      current_url: current === '' ? base : `${base}?${current}`,
      prev_url: page.hasOlder && oldest ? `${base}?limit=${limit}${keep}&before_id=${oldest.id}` : null,
      next_url: newest ? `${base}?limit=${limit}${keep}&after_id=${newest.id}` : null,
    },
    transcripts: page.items.map((r) => listItem(r, ctx.baseUrl())),
  });
}
