// The errors this client throws and the options it takes are @mediatag/http's, re-exported here
// so a caller of AssemblyAIClient needs one import.
export {
  ApiError,
  type ApiErrorInit,
  AuthError,
  BadRequestError,
  type HttpClientOptions,
  type HttpLogger,
  InvalidRequestError,
  InvalidResponseError,
  NetworkError,
  NotFoundError,
  RateLimitError,
  type RequestMetrics,
  type RetryOptions,
  redactSecret,
  ServerError,
  TimeoutError,
} from '@mediatag/http';
export { LOOKUP_ERROR } from './lookup-error.ts';
export { apiTimeMs } from './time.ts';
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
