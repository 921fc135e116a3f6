import { type ChatMessage, parseMessages } from './gateway-messages.ts';

/** The fields of a chat completion request the emulator acts on, validated. */
export interface CompletionRequest {
  model: string;
  maxTokens: number;
  temperature: number | undefined;
  messages: ChatMessage[];
  /** Everything else of the body (transcript_id, response_format, ...), as sent. */
  body: Record<string, unknown>;
}

/** A validated request with the fallback requests it names, each already merged over it. */
export interface ParsedCompletion {
  primary: CompletionRequest;
  fallbacks: CompletionRequest[];
}

/** A 400 message for a request the gateway would refuse. */
export type RequestError = { error: string };

/**
 * Validate the body and its `fallbacks`. A fallback is an object with a `model` and any request
 * field to override (messages, temperature, ...); fields it leaves out inherit the request's.
 * `fallback_config` is `{depth?: 1 | 2, retry?: boolean}`: depth 2 lets a second fallback run.
 */
export function parseCompletion(body: Record<string, unknown>): ParsedCompletion | RequestError {
  const primary = parseOne(body);
  if ('error' in primary) return primary;
  const config = body.fallback_config;
  if (config !== undefined) {
    if (!config || typeof config !== 'object' || Array.isArray(config))
      return { error: 'fallback_config must be an object' };
    const { depth, retry } = config as { depth?: unknown; retry?: unknown };
    if (depth !== undefined && depth !== 1 && depth !== 2)
      return { error: 'fallback_config.depth must be 1 or 2' };
    if (retry !== undefined && typeof retry !== 'boolean')
      return { error: 'fallback_config.retry must be a boolean' };
  }
  const raw = body.fallbacks;
  if (raw === undefined) return { primary, fallbacks: [] };
  if (!Array.isArray(raw)) return { error: 'fallbacks must be an array of objects with a model' };
  const fallbacks: CompletionRequest[] = [];
  for (const [i, entry] of raw.entries()) {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry))
      return { error: `fallbacks[${i}] must be an object with a model` };
    const override = entry as Record<string, unknown>;
    if (typeof override.model !== 'string' || override.model === '')
      return { error: `fallbacks[${i}].model is required` };
    if ('fallbacks' in override || 'fallback_config' in override)
      return { error: `fallbacks[${i}] cannot nest fallbacks` };
    // Overriding messages replaces the prompt too, and the other way round.
    const merged: Record<string, unknown> = { ...body, ...override };
    if (override.messages !== undefined && override.prompt === undefined) delete merged.prompt;
    if (override.prompt !== undefined && override.messages === undefined) delete merged.messages;
    delete merged.fallbacks;
    delete merged.fallback_config;
    const parsed = parseOne(merged);
    if ('error' in parsed) return { error: `fallbacks[${i}]: ${parsed.error}` };
    fallbacks.push(parsed);
  }
  const depth = (config as { depth?: number } | undefined)?.depth ?? 1;
  return { primary, fallbacks: fallbacks.slice(0, depth) };
}

function parseOne(body: Record<string, unknown>): CompletionRequest | RequestError {
  const model = body.model;
  if (typeof model !== 'string' || model === '') return { error: 'model is required' };
  const maxTokens = body.max_tokens ?? 1000;
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1)
    return { error: 'max_tokens must be an integer >= 1' };
  const temperature = body.temperature;
  if (temperature !== undefined && (typeof temperature !== 'number' || temperature < 0 || temperature > 2))
    return { error: 'temperature must be a number between 0 and 2' };
  const messages = parseMessages(body);
  if (typeof messages === 'string') return { error: messages };
  return { model, maxTokens, temperature, messages, body };
}
