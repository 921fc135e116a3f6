import { hash32, seededRandom } from '../core/random.ts';
import type { GetCounted } from '../core/stats.ts';
import type { Redaction } from './redact.ts';

/** Lifecycle states, as the API names them. */
export type TranscriptStatus = 'queued' | 'processing' | 'completed' | 'error';

/** The submit fields the emulator acts on or echoes back. */
export interface SubmitRequest {
  audioUrl: string;
  speechModels: string[] | null;
  languageCode: string | null;
  languageDetection: boolean;
  punctuate: boolean;
  formatText: boolean;
  speakerLabels: boolean;
  /** Stereo calls: each channel transcribed apart (the emulator hears two). */
  multichannel: boolean;
  /** `redact_pii` with its policies and substitution; null when off. */
  redaction: Redaction | null;
  webhookUrl: string | null;
  webhookAuthHeaderName: string | null;
  /** Never echoed back, like production. */
  webhookAuthHeaderValue: string | null;
}

/** One transcript as the emulator keeps it. */
export interface TranscriptRecord extends GetCounted {
  id: string;
  /** Creation order; the list endpoint pages on it. */
  seq: number;
  request: SubmitRequest;
  status: TranscriptStatus;
  /** Epoch ms. */
  createdAt: number;
  completedAt: number | null;
  throttled: boolean | null;
  durationSeconds: number;
  text: string;
  /** Set at submission when the job is destined to fail (e.g. a `/broken/` URL). */
  failure: string | null;
  /** A loopback audio URL still to fetch when the job starts; null once fetched or for any other URL. */
  download: string | null;
  speechModelUsed: string;
  webhookStatusCode: number | null;
  deleted: boolean;
}

const DELETED_URL = 'http://deleted_by_user';

/** The Transcript object, with every field the spec requires and nulls where production has them. */
export function transcriptBody(r: TranscriptRecord): Record<string, unknown> {
  const done = r.status === 'completed' && !r.deleted;
  const detected = r.request.languageDetection;
  const parties = r.request.speakerLabels || r.request.multichannel;
  const words = done ? buildWords(r) : null;
  const body: Record<string, unknown> = {
    id: r.id,
    language_model: 'assemblyai_default',
    acoustic_model: 'assemblyai_default',
    language_code: detected ? 'en' : (r.request.languageCode ?? 'en_us'),
    language_detection: detected,
    language_confidence_threshold: null,
    language_confidence: detected && done ? 0.98 : null,
    speech_model: null,
    speech_models: r.request.speechModels,
    speech_model_used: r.speechModelUsed,
    status: r.status,
    audio_url: r.deleted ? DELETED_URL : r.request.audioUrl,
    text: done ? r.text : null,
    words: done ? words : null,
    utterances: done && parties ? buildUtterances(words ?? []) : null,
    confidence: done ? confidenceOf(r.id) : null,
    audio_duration: r.status === 'completed' ? r.durationSeconds : null,
    punctuate: r.request.punctuate,
    format_text: r.request.formatText,
    multichannel: r.request.multichannel ? true : null,
    webhook_url: r.request.webhookUrl === null ? null : r.deleted ? DELETED_URL : r.request.webhookUrl,
    webhook_status_code: r.webhookStatusCode,
    webhook_auth: r.request.webhookAuthHeaderName !== null,
    webhook_auth_header_name: r.request.webhookAuthHeaderName,
    auto_highlights: false,
    auto_highlights_result: null,
    audio_start_from: null,
    audio_end_at: null,
    filter_profanity: false,
    redact_pii: r.request.redaction !== null,
    redact_pii_audio: false,
    redact_pii_audio_quality: null,
    redact_pii_policies: r.request.redaction?.policies ?? null,
    speaker_labels: r.request.speakerLabels,
    speakers_expected: null,
    content_safety: false,
    content_safety_labels: null,
    iab_categories: false,
    iab_categories_result: null,
    custom_spelling: null,
    throttled: r.throttled,
    auto_chapters: false,
    summarization: false,
    summary_type: null,
    summary_model: null,
    custom_topics: false,
    topics: [],
    speech_threshold: null,
    disfluencies: false,
    sentiment_analysis: false,
    sentiment_analysis_results: null,
    entity_detection: false,
    entities: null,
    chapters: null,
    summary: null,
  };
  if (r.request.redaction) body.redact_pii_sub = r.request.redaction.sub;
  // Only present with multichannel; the emulator hears every file as a stereo call.
  if (r.request.multichannel) body.audio_channels = CHANNELS;
  if (r.status === 'error' && r.failure !== null) body.error = r.failure;
  return body;
}

/** One row of GET /v2/transcript (TranscriptListItem). */
export function listItem(r: TranscriptRecord, baseUrl: string): Record<string, unknown> {
  return {
    id: r.id,
    resource_url: `${baseUrl}/v2/transcript/${r.id}`,
    status: r.status,
    created: apiTimestamp(r.createdAt),
    completed: r.completedAt === null || r.status !== 'completed' ? null : apiTimestamp(r.completedAt),
    audio_url: r.deleted ? DELETED_URL : r.request.audioUrl,
    error: r.status === 'error' ? r.failure : null,
  };
}

/** Production's timestamp shape: ISO 8601 without a zone, microseconds. */
function apiTimestamp(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 23)}000`;
}

function confidenceOf(id: string): number {
  return 0.86 + (hash32(id) % 1200) / 10_000;
}

const CHANNELS = 2;

/**
 * Who says sentence `i`: the two parties of a call take turns a sentence at a time. Speaker
 * labels alone name speakers A and B; multichannel puts them on channels 1 and 2 and names the
 * speaker by the channel; both together label speakers within a channel ("1A", "2A"), as
 * AssemblyAI's per-channel diarization does.
 */
function party(r: TranscriptRecord, sentence: number): { speaker: string | null; channel?: string } {
  const { speakerLabels, multichannel } = r.request;
  const turn = sentence % 2;
  if (multichannel) {
    const channel = String(turn + 1);
    return { speaker: speakerLabels ? `${channel}A` : channel, channel };
  }
  return { speaker: speakerLabels ? (turn === 0 ? 'A' : 'B') : null };
}

/** Word timings spread over the whole duration, so timestamps never run past the audio. */
function buildWords(r: TranscriptRecord): Array<Record<string, unknown>> {
  const tokens = r.text.split(' ').filter((t) => t.length > 0);
  const random = seededRandom(hash32(r.id));
  const slot = (r.durationSeconds * 1000) / Math.max(1, tokens.length);
  let sentence = 0;
  return tokens.map((text, i) => {
    const start = Math.round(i * slot + Math.min(80, slot * 0.1));
    const end = start + Math.max(1, Math.round(Math.min(slot * 0.85, 120 + text.length * 55)));
    const word = {
      text,
      start,
      end,
      confidence: Math.round((0.8 + random() * 0.2) * 10_000) / 10_000,
      ...party(r, sentence),
    };
    if (/[.?!]$/.test(text)) sentence += 1;
    return word;
  });
}

/** Turn-by-turn utterances: consecutive words of one speaker (and channel). */
function buildUtterances(words: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const utterances: Array<Record<string, unknown>> = [];
  let current: Array<Record<string, unknown>> = [];
  const flush = () => {
    const first = current[0];
    const last = current[current.length - 1];
    if (!first || !last) return;
    const confidence = current.reduce((sum, w) => sum + Number(w.confidence), 0) / current.length;
    utterances.push({
      confidence: Math.round(confidence * 10_000) / 10_000,
      start: first.start,
      end: last.end,
      text: current.map((w) => w.text).join(' '),
      words: current,
      speaker: first.speaker,
      ...('channel' in first ? { channel: first.channel } : {}),
    });
    current = [];
  };
  for (const word of words) {
    if (current[0] && current[0].speaker !== word.speaker) flush();
    current.push(word);
  }
  flush();
  return utterances;
}
