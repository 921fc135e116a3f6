import { InvalidResponseError } from '@mediatag/http';
import { TRANSCRIPT_STATUSES, type Transcript, type TranscriptList, type UploadResult } from './types.ts';

/** Which request a response answered, for the error message. */
export interface ResponseContext {
  method: string;
  path: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(ctx: ResponseContext, what: string): InvalidResponseError {
  return new InvalidResponseError(`${ctx.method} ${ctx.path}: unexpected response, ${what}`, {
    ...ctx,
    statusCode: 200,
    sent: true,
  });
}

function hasKnownStatus(value: Record<string, unknown>): boolean {
  return (
    typeof value.status === 'string' && (TRANSCRIPT_STATUSES as readonly string[]).includes(value.status)
  );
}

/** Checks the two fields every caller relies on (string `id`, known `status`); the rest is trusted. */
export function assertTranscript(value: unknown, ctx: ResponseContext): Transcript {
  if (!isRecord(value)) throw invalid(ctx, 'expected a transcript object');
  if (typeof value.id !== 'string' || value.id === '') throw invalid(ctx, 'transcript has no string id');
  if (!hasKnownStatus(value)) throw invalid(ctx, `transcript ${value.id} has an unknown status`);
  return value as unknown as Transcript;
}

/** Checks that an upload answer carries `upload_url`. */
export function assertUploadResult(value: unknown, ctx: ResponseContext): UploadResult {
  if (!isRecord(value) || typeof value.upload_url !== 'string' || value.upload_url === '') {
    throw invalid(ctx, 'upload answer has no upload_url');
  }
  return { upload_url: value.upload_url };
}

/** Checks the page shape and each row's id and status. */
export function assertTranscriptList(value: unknown, ctx: ResponseContext): TranscriptList {
  if (!isRecord(value) || !isRecord(value.page_details) || !Array.isArray(value.transcripts)) {
    throw invalid(ctx, 'expected page_details and a transcripts array');
  }
  for (const row of value.transcripts) {
    if (!isRecord(row) || typeof row.id !== 'string' || !hasKnownStatus(row)) {
      throw invalid(ctx, 'a transcript list row has no id or an unknown status');
    }
  }
  return value as unknown as TranscriptList;
}
