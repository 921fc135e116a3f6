import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { toError } from '@mediatag/errors';
import { HttpClient, type HttpClientOptions, InvalidRequestError } from '@mediatag/http';
import { LOOKUP_ERROR } from './lookup-error.ts';
import type {
  ListTranscriptsParams,
  SubmitTranscriptParams,
  Transcript,
  TranscriptList,
  TranscriptListItem,
  UploadResult,
} from './types.ts';
import { assertTranscript, assertTranscriptList, assertUploadResult } from './validate.ts';

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal | undefined;
}

export interface UploadOptions extends CallOptions {
  /** Byte count to announce; taken from the file for a path source, chunked transfer when absent. */
  contentLength?: number | undefined;
}

export const ASSEMBLYAI_BASE_URL = 'https://api.assemblyai.com';

const LIST_FIELDS = ['limit', 'before_id', 'after_id', 'status', 'created_on'] as const;

/** The list filters carried by a `prev_url`, so paging goes to our base URL and never to a host in a body. */
function cursorFrom(prevUrl: string): ListTranscriptsParams | undefined {
  let params: URLSearchParams;
  try {
    params = new URL(prevUrl).searchParams;
  } catch {
    return undefined;
  }
  if (!params.get('before_id')) return undefined;
  const out: Record<string, string | number> = {};
  for (const key of LIST_FIELDS) {
    const value = params.get(key);
    if (value !== null) out[key] = key === 'limit' ? Number(value) : value;
  }
  return out as ListTranscriptsParams;
}

/** AssemblyAI REST v2: upload, submit, get, delete and list transcripts. */
export class AssemblyAIClient {
  readonly http: HttpClient;

  constructor(options: HttpClientOptions) {
    this.http = new HttpClient({
      ...options,
      userAgent: options.userAgent ?? 'mediatag-assemblyai/0.1',
      notFoundMessage: options.notFoundMessage ?? LOOKUP_ERROR,
    });
  }

  /**
   * Streams a file path (re-opened on every attempt) or a stream factory to `POST /v2/upload`.
   * Retried like a GET: uploads are not billed, so a duplicate only leaves an unused file behind.
   */
  async upload(source: string | (() => Readable), opts: UploadOptions = {}): Promise<UploadResult> {
    const ctx = { method: 'POST', path: '/v2/upload' };
    let stream: () => Readable;
    let contentLength = opts.contentLength;
    if (typeof source === 'string') {
      let size: number;
      try {
        const info = await stat(source);
        if (!info.isFile()) throw new Error('not a regular file');
        size = info.size;
      } catch (cause) {
        throw new InvalidRequestError(`cannot upload ${source}: ${toError(cause).message}`, {
          ...ctx,
          cause,
        });
      }
      contentLength ??= size;
      stream = () => createReadStream(source);
    } else {
      stream = source;
    }
    const data = await this.http.request({
      ...ctx,
      method: 'POST',
      stream,
      contentLength,
      idempotent: true,
      signal: opts.signal,
    });
    return assertUploadResult(data, ctx);
  }

  /** Submits a transcription job; not retried once it may have reached the server (it would be billed twice). */
  async submitTranscript(params: SubmitTranscriptParams, opts: CallOptions = {}): Promise<Transcript> {
    const ctx = { method: 'POST', path: '/v2/transcript' };
    if (typeof params.audio_url !== 'string' || params.audio_url === '') {
      throw new InvalidRequestError('submitTranscript: audio_url is required', ctx);
    }
    if ('speech_model' in params) {
      throw new InvalidRequestError(
        'submitTranscript: speech_model is rejected by the API, use speech_models',
        ctx,
      );
    }
    const models = params.speech_models;
    if (models !== undefined && (!Array.isArray(models) || models.length === 0)) {
      throw new InvalidRequestError('submitTranscript: speech_models must be a non-empty array', ctx);
    }
    // Sent as given when defined (a batch's transcription options included); the retired
    // `speech_model` was refused above and never leaves the client.
    const body: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(params)) if (value !== undefined) body[key] = value;
    const data = await this.http.request({
      ...ctx,
      method: 'POST',
      body,
      idempotent: false,
      signal: opts.signal,
    });
    return assertTranscript(data, ctx);
  }

  /** Fetches a transcript; an unknown id throws NotFoundError (404, or production's 400 lookup error). */
  async getTranscript(id: string, opts: CallOptions = {}): Promise<Transcript> {
    const path = this.transcriptPath(id, 'GET');
    const data = await this.http.request({
      method: 'GET',
      path,
      route: '/v2/transcript/:id',
      idempotent: true,
      signal: opts.signal,
    });
    return assertTranscript(data, { method: 'GET', path });
  }

  /** Deletes a transcript's data; the API answers with the scrubbed transcript. */
  async deleteTranscript(id: string, opts: CallOptions = {}): Promise<Transcript> {
    const path = this.transcriptPath(id, 'DELETE');
    const data = await this.http.request({
      method: 'DELETE',
      path,
      route: '/v2/transcript/:id',
      idempotent: true,
      signal: opts.signal,
    });
    return assertTranscript(data, { method: 'DELETE', path });
  }

  /** One page of transcripts, newest first (the API keeps the last 90 days). */
  async listTranscripts(params: ListTranscriptsParams = {}, opts: CallOptions = {}): Promise<TranscriptList> {
    const ctx = { method: 'GET', path: '/v2/transcript' };
    const { limit } = params;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 200)) {
      throw new InvalidRequestError('listTranscripts: limit must be an integer from 1 to 200', ctx);
    }
    const query: Record<string, string | number | undefined> = {};
    for (const key of LIST_FIELDS) query[key] = params[key];
    const data = await this.http.request({
      ...ctx,
      method: 'GET',
      query,
      idempotent: true,
      signal: opts.signal,
    });
    return assertTranscriptList(data, ctx);
  }

  /** Pages from `params` towards older transcripts by following `page_details.prev_url`. */
  async *iterateTranscriptPages(
    params: ListTranscriptsParams = {},
    opts: CallOptions = {},
  ): AsyncGenerator<TranscriptList, void, undefined> {
    let query = params;
    const seen = new Set<string>();
    for (;;) {
      const page = await this.listTranscripts(query, opts);
      yield page;
      const prev = page.page_details.prev_url;
      const next = prev && page.transcripts.length > 0 ? cursorFrom(prev) : undefined;
      // A repeated cursor would loop forever on a misbehaving server.
      if (!next?.before_id || seen.has(next.before_id)) return;
      seen.add(next.before_id);
      query = { ...params, ...next };
    }
  }

  /** Every transcript from `params` towards older ones, one row at a time. */
  async *iterateTranscripts(
    params: ListTranscriptsParams = {},
    opts: CallOptions = {},
  ): AsyncGenerator<TranscriptListItem, void, undefined> {
    for await (const page of this.iterateTranscriptPages(params, opts)) yield* page.transcripts;
  }

  /** Closes the keep-alive pool. */
  close(): Promise<void> {
    return this.http.close();
  }

  private transcriptPath(id: string, method: string): string {
    if (typeof id !== 'string' || id.trim() === '') {
      throw new InvalidRequestError('transcript id must be a non-empty string', {
        method,
        path: '/v2/transcript/:id',
      });
    }
    return `/v2/transcript/${encodeURIComponent(id)}`;
  }
}
