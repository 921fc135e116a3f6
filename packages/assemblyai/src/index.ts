export { backoffDelayMs, DEFAULT_RETRY, type RetryOptions } from './backoff.ts';
export { errorFromException, errorFromResponse, parseErrorBody, parseRetryAfterMs } from './classify.ts';
export {
  ApiError,
  type ApiErrorInit,
  AuthError,
  BadRequestError,
  InvalidRequestError,
  InvalidResponseError,
  NetworkError,
  NotFoundError,
  RateLimitError,
  redactSecret,
  ServerError,
  TimeoutError,
} from './errors.ts';
export {
  HttpClient,
  type HttpClientOptions,
  type HttpLogger,
  type HttpMethod,
  type HttpResponse,
  type RequestMetrics,
  type RequestOptions,
} from './http.ts';
export {
  ASSEMBLYAI_BASE_URL,
  AssemblyAIClient,
  type CallOptions,
  type UploadOptions,
} from './transcripts.ts';
export type {
  ListTranscriptsParams,
  PageDetails,
  SubmitTranscriptParams,
  Transcript,
  TranscriptList,
  TranscriptListItem,
  TranscriptStatus,
  TranscriptWord,
  UploadResult,
} from './types.ts';
export { TRANSCRIPT_STATUSES } from './types.ts';
