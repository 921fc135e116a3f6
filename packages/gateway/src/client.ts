import { LOOKUP_ERROR } from '@mediatag/assemblyai';
import { HttpClient, InvalidRequestError } from '@mediatag/http';
import { injectTranscript, placeholderIndex, TRANSCRIPT_PLACEHOLDER } from './inject.ts';
import { parseChatResponse, parseRateLimit } from './parse.ts';
import type { ChatParams, ChatResult, GatewayClientOptions, GatewayMode } from './types.ts';

export const GATEWAY_BASE_URL = 'https://llm-gateway.assemblyai.com';
export const CHAT_PATH = '/v1/chat/completions';

/** Chat completions on AssemblyAI's LLM Gateway or any OpenAI-compatible endpoint. */
export class GatewayClient {
  readonly mode: GatewayMode;
  readonly http: HttpClient;
  private readonly retryAllErrors: boolean;

  constructor(options: GatewayClientOptions) {
    const { mode, retryAllErrors, ...httpOptions } = options;
    if (mode !== 'transcript_id' && mode !== 'inline')
      throw new TypeError('mode must be transcript_id or inline');
    this.mode = mode;
    this.retryAllErrors = retryAllErrors ?? true;
    this.http = new HttpClient({
      ...httpOptions,
      userAgent: httpOptions.userAgent ?? 'mediatag-gateway/0.1',
      notFoundMessage: httpOptions.notFoundMessage ?? LOOKUP_ERROR,
    });
  }

  /**
   * Sends one chat completion. Mode `transcript_id` sends `transcript_id` and leaves `{{ transcript }}`
   * for the gateway; mode `inline` pastes `transcriptText` into the first placeholder itself.
   */
  async chat(params: ChatParams): Promise<ChatResult> {
    const ctx = { method: 'POST', path: CHAT_PATH };
    const fail = (why: string) => new InvalidRequestError(`chat: ${why}`, ctx);
    if (typeof params.model !== 'string' || params.model === '') throw fail('model is required');
    if (!Array.isArray(params.messages) || params.messages.length === 0)
      throw fail('messages must not be empty');
    const hasPlaceholder = placeholderIndex(params.messages) >= 0;
    const body: Record<string, unknown> = { model: params.model, messages: params.messages };
    // A transcript given without a placeholder (or the reverse) would make the model answer without
    // the text while we pay for the call, so both mismatches fail before sending.
    if (this.mode === 'transcript_id') {
      if (params.transcriptId === undefined && hasPlaceholder) {
        throw fail(`a message contains ${TRANSCRIPT_PLACEHOLDER} but no transcriptId was given`);
      }
      if (params.transcriptId !== undefined) {
        if (!hasPlaceholder)
          throw fail(`transcriptId given but no message contains ${TRANSCRIPT_PLACEHOLDER}`);
        body.transcript_id = params.transcriptId;
      }
    } else {
      if (params.transcriptText === undefined && hasPlaceholder) {
        throw fail(`mode inline needs transcriptText to replace ${TRANSCRIPT_PLACEHOLDER}`);
      }
      if (params.transcriptText !== undefined) {
        if (!hasPlaceholder)
          throw fail(`transcriptText given but no message contains ${TRANSCRIPT_PLACEHOLDER}`);
        body.messages = injectTranscript(params.messages, params.transcriptText);
      }
    }
    if (params.max_tokens !== undefined) body.max_tokens = params.max_tokens;
    if (params.temperature !== undefined) body.temperature = params.temperature;
    if (params.response_format !== undefined) body.response_format = params.response_format;

    const res = await this.http.send({
      ...ctx,
      method: 'POST',
      body,
      idempotent: this.retryAllErrors,
      signal: params.signal,
    });
    const result: ChatResult = parseChatResponse(res.data, ctx);
    const rateLimit = parseRateLimit(res.headers);
    if (rateLimit) result.rateLimit = rateLimit;
    return result;
  }

  /** Closes the keep-alive pool. */
  close(): Promise<void> {
    return this.http.close();
  }
}
