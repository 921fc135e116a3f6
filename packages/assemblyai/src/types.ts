/** Lifecycle of a transcript; `error` is a finished job that failed (HTTP 200, not billed). */
export type TranscriptStatus = 'queued' | 'processing' | 'completed' | 'error';

export const TRANSCRIPT_STATUSES: readonly TranscriptStatus[] = [
  'queued',
  'processing',
  'completed',
  'error',
];

/** One recognised word; times are milliseconds from the start of the audio. */
export interface TranscriptWord {
  text: string;
  start: number;
  end: number;
  confidence: number;
  speaker?: string | null;
  channel?: string | null;
}

/** The fields of a transcript this project reads; the API sends many more. */
export interface Transcript {
  id: string;
  status: TranscriptStatus;
  audio_url?: string;
  text?: string | null;
  words?: TranscriptWord[] | null;
  confidence?: number | null;
  language_code?: string | null;
  /** Whole seconds, rounded up. */
  audio_duration?: number | null;
  speech_model_used?: string | null;
  /** True while the job waits because the account's concurrency limit is reached (queued FIFO, not refused). */
  throttled?: boolean | null;
  webhook_status_code?: number | null;
  /** Why a job with status `error` failed. */
  error?: string | null;
}

/** Body of `POST /v2/transcript`; the retired singular `speech_model` is deliberately absent (production rejects it). */
export interface SubmitTranscriptParams {
  audio_url: string;
  /** Models in order of preference, e.g. `['universal-3-pro', 'universal-2']`. */
  speech_models?: string[] | undefined;
  language_code?: string | undefined;
  language_detection?: boolean | undefined;
  webhook_url?: string | undefined;
  webhook_auth_header_name?: string | undefined;
  webhook_auth_header_value?: string | undefined;
  punctuate?: boolean | undefined;
  format_text?: boolean | undefined;
  /** Any other field of the request (a batch's transcription options, see transcript-options.ts). */
  [field: string]: unknown;
}

/** Result of `POST /v2/upload`: a URL only AssemblyAI can read, to pass as `audio_url`. */
export interface UploadResult {
  upload_url: string;
}

/** Query of `GET /v2/transcript`; pages go from newest to oldest. */
export interface ListTranscriptsParams {
  /** 1 to 200. */
  limit?: number | undefined;
  before_id?: string | undefined;
  after_id?: string | undefined;
  status?: TranscriptStatus | undefined;
  /** `YYYY-MM-DD`. */
  created_on?: string | undefined;
}

/** One row of a transcript list page. */
export interface TranscriptListItem {
  id: string;
  resource_url: string;
  status: TranscriptStatus;
  created: string;
  completed: string | null;
  audio_url: string;
  error: string | null;
}

/** Paging links; `prev_url` points to older transcripts, `next_url` to newer ones. */
export interface PageDetails {
  limit: number;
  result_count: number;
  current_url: string;
  prev_url: string | null;
  next_url: string | null;
}

/** One page of `GET /v2/transcript`. */
export interface TranscriptList {
  page_details: PageDetails;
  transcripts: TranscriptListItem[];
}
