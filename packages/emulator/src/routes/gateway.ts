import { randomUUID } from 'node:crypto';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { EmulatorContext } from '../context.ts';
import { parseJsonObject, sendJson } from '../core/http-io.ts';
import type { WindowState } from '../core/rate-limit.ts';
import { answerContent } from './gateway-answer.ts';
import { type ChatMessage, injectTranscript, messageText } from './gateway-messages.ts';
import { parseCompletion } from './gateway-request.ts';

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

// Gateway pricing counts roughly four characters a token.
const tokensOf = (text: string) => Math.ceil(text.length / 4);

/** An injected 5xx for the primary model, handed over by the server so `fallbacks` can absorb it. */
export type ModelFault = 'http500' | 'http503';

/**
 * POST /v1/chat/completions: validation, per-model rpm, fallbacks, transcript injection, stand-in
 * answer. With `fault`, the primary model fails: the first fallback answers instead if the request
 * names one (production retries a failed model on its fallbacks), else the 5xx goes out.
 */
export function chatCompletions(
  ctx: EmulatorContext,
  bodyText: string,
  res: ServerResponse,
  fault: ModelFault | null = null,
): void {
  const started = performance.now();
  const body = parseJsonObject(bodyText);
  if (!body) {
    sendGatewayError(res, 400, 'Invalid JSON body: expected a JSON object');
    return;
  }
  const primaryModel = body.model;
  if (typeof primaryModel !== 'string' || primaryModel === '') {
    sendGatewayError(res, 400, 'model is required');
    return;
  }
  // requestsPerMinute null: the limit is off, so there is no window to report either.
  const limited = ctx.options().gateway.requestsPerMinute !== null;
  const window = limited ? ctx.gatewayLimiter.take(primaryModel, performance.now()) : null;
  const headers = window ? limitHeaders(window) : {};
  if (window && !window.allowed) {
    ctx.stats.count.gateway429s++;
    sendGatewayError(res, 429, `Rate limit exceeded for model ${primaryModel}`, {
      ...headers,
      'retry-after': String(window.retryAfterSeconds),
    });
    return;
  }
  const parsed = parseCompletion(body);
  if ('error' in parsed) {
    sendGatewayError(res, 400, parsed.error, headers);
    return;
  }
  let request = parsed.primary;
  if (fault) {
    ctx.stats.faults[fault]++;
    const fallback = parsed.fallbacks[0];
    if (!fallback) {
      const status = fault === 'http500' ? 500 : 503;
      sendGatewayError(
        res,
        status,
        status === 500 ? 'Internal Server Error' : 'Service Unavailable',
        headers,
      );
      return;
    }
    ctx.stats.count.gatewayFallbacks++;
    request = fallback;
  }
  const { model, maxTokens, temperature } = request;
  let messages: ChatMessage[] = request.messages;
  let injected: string | undefined;
  if (request.body.transcript_id !== undefined) {
    const id = request.body.transcript_id;
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
  let content = answerContent(ctx, prompt, injected, request.body.response_format);
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
  const echoed: Record<string, unknown> = { model, max_tokens: maxTokens };
  if (typeof temperature === 'number') echoed.temperature = temperature;
  sendJson(
    res,
    200,
    {
      request_id: randomUUID(),
      model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason }],
      request: echoed,
      usage,
      http_status_code: 200,
      response_time: Math.round((performance.now() - started) * 1e6),
      llm_status_code: 200,
    },
    headers,
  );
}
