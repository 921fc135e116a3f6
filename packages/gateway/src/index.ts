export { CHAT_PATH, GATEWAY_BASE_URL, GatewayClient } from './client.ts';
export { type ChatMessage, injectTranscript, placeholderIndex, TRANSCRIPT_PLACEHOLDER } from './inject.ts';
export { parseChatResponse, parseRateLimit, parseUsage } from './parse.ts';
export type {
  ChatParams,
  ChatResult,
  ChatUsage,
  GatewayClientOptions,
  GatewayMode,
  RateLimitInfo,
  ResponseFormat,
} from './types.ts';
