import { randomUUID } from 'node:crypto';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { EmulatorContext } from '../context.ts';
import { parseJsonObject, sendJson } from '../core/http-io.ts';
import type { WindowState } from '../core/rate-limit.ts';
import { answerContent } from './gateway-answer.ts';
import { type ChatMessage, injectTranscript, messageText, parseMessages } from './gateway-messages.ts';

/** The gateway's error shape: `{"error": {"code", "message", "metadata"}}`. */
export function sendGatewayError(
  res: ServerResponse,
  code: number,
  message: string,
  headers: OutgoingHttpHeaders = {},
): void {
  sendJson(res, code, { error: { code, message, metadata: {} } }, headers);
}

function limitHeaders(state: WindowState): OutgoingHttpHeaders {
  return {
    'x-ratelimit-limit': String(state.limit),
    'x-ratelimit-remaining': String(state.remaining),
    'x-ratelimit-reset': String(state.resetSeconds),
  };
}

// Roughly four characters a token, as NOTES.md says for pricing.
const tokensOf = (text: string) => Math.ceil(text.length / 4);

/** POST /v1/chat/completions: validation, per-model rpm, transcript injection, stand-in answer. */
export function chatCompletions(ctx: EmulatorContext, bodyText: string, res: ServerResponse): void {
  const started = performance.now();
  const body = parseJsonObject(bodyText);
  if (!body) {
    sendGatewayError(res, 400, 'Invalid JSON body: expected a JSON object');
    return;
  }
  const model = body.model;
  if (typeof model !== 'string' || model === '') {
    sendGatewayError(res, 400, 'model is required');
    return;
  }
  // requestsPerMinute null: the limit is off, so there is no window to report either.
  const limited = ctx.options().gateway.requestsPerMinute !== null;
  const window = limited ? ctx.gatewayLimiter.take(model, performance.now()) : null;
  const headers = window ? limitHeaders(window) : {};
  if (window && !window.allowed) {
    ctx.stats.count.gateway429s++;
    sendGatewayError(res, 429, `Rate limit exceeded for model ${model}`, {
      ...headers,
      'retry-after': String(window.retryAfterSeconds),
    });
    return;
  }
  const maxTokens = body.max_tokens ?? 1000;
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    sendGatewayError(res, 400, 'max_tokens must be an integer >= 1', headers);
    return;
  }
  const temperature = body.temperature;
  if (temperature !== undefined && (typeof temperature !== 'number' || temperature < 0 || temperature > 2)) {
    sendGatewayError(res, 400, 'temperature must be a number between 0 and 2', headers);
    return;
  }
  const parsed = parseMessages(body);
  if (typeof parsed === 'string') {
    sendGatewayError(res, 400, parsed, headers);
    return;
  }
  let messages: ChatMessage[] = parsed;
  let injected: string | undefined;
  if (body.transcript_id !== undefined) {
    const id = body.transcript_id;
    const record = typeof id === 'string' ? ctx.engine.get(id) : undefined;
    if (record?.status !== 'completed' || record.deleted) {
      sendGatewayError(res, 404, `Transcript ${String(id)} not found or not completed`, headers);
      return;
    }
    const result = injectTranscript(messages, record.text);
    messages = result.messages;
    if (result.injected) injected = record.text;
  }

  const prompt = messages.map(messageText).join('\n\n');
  let content = answerContent(ctx, prompt, injected, body.response_format);
  let finishReason = 'stop';
  if (tokensOf(content) > maxTokens) {
    content = content.slice(0, maxTokens * 4);
    finishReason = 'length';
  }
  const usage = {
    input_tokens: tokensOf(prompt),
    output_tokens: Math.max(1, tokensOf(content)),
    total_tokens: 0,
  };
  usage.total_tokens = usage.input_tokens + usage.output_tokens;
  ctx.stats.count.gatewayCalls++;
  ctx.stats.count.gatewayInputTokens += usage.input_tokens;
  ctx.stats.count.gatewayOutputTokens += usage.output_tokens;
  const request: Record<string, unknown> = { model, max_tokens: maxTokens };
  if (typeof temperature === 'number') request.temperature = temperature;
  sendJson(
    res,
    200,
    {
      request_id: randomUUID(),
      model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason }],
      request,
      usage,
      http_status_code: 200,
      response_time: Math.round((performance.now() - started) * 1e6),
      llm_status_code: 200,
    },
    headers,
  );
}
