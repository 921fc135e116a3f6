/**
 * Production answers an unknown transcript id with 400 and this text instead of the documented
 * 404; AssemblyAIClient and GatewayClient report it as NotFoundError (`notFoundMessage`).
 */
export const LOOKUP_ERROR = /transcript lookup error|transcript id not found/i;
