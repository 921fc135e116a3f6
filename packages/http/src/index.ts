export { backoffDelayMs, DEFAULT_RETRY, type RetryOptions } from './backoff.ts';
export {
  errorFromException,
  errorFromResponse,
  headerValue,
  MAX_RETRY_AFTER_MS,
  parseErrorBody,
  parseRetryAfterMs,
  type RequestContext,
  type ResponseHeaders,
} from './classify.ts';
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
export { HttpClient } from './http.ts';
export type {
  HttpClientOptions,
  HttpLogger,
  HttpMethod,
  HttpResponse,
  RequestMetrics,
  RequestOptions,
} from './http-types.ts';
