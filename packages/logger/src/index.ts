import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino masks in every line. Keys can arrive as config fields, request headers or
 * webhook settings; pino wildcards match one level, so the common nestings are listed.
 */
export const REDACT_PATHS = [
  'apiKey',
  '*.apiKey',
  'ASSEMBLYAI_API_KEY',
  '*.ASSEMBLYAI_API_KEY',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'headers.Authorization',
  '*.headers.Authorization',
  'webhook_auth_header_value',
  '*.webhook_auth_header_value',
  'password',
  '*.password',
];

export interface LoggerOptions {
  level?: string;
  pretty?: boolean;
  /** Where lines go; defaults to stderr so command output on stdout stays clean. */
  destination?: DestinationStream;
  /** Secrets to mask wherever they appear in a message string (pino redact works on keys only). */
  secrets?: string[];
}

// A presigned URL is a bearer credential for its object: whatever logs one (an API error
// quoting the URL it could not download), its signature and credential never reach a line.
const SIGNED_QUERY =
  /([?&])(X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|X-Goog-Signature|X-Goog-Credential)=[^&#\s"'<>\\]*/gi;

/** The root logger: JSON lines by default, pretty when asked, secrets and URL signatures redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 4);
  const scrub = (text: string) =>
    secrets
      .reduce((acc, secret) => acc.split(secret).join('[REDACTED]'), text)
      .replace(SIGNED_QUERY, '$1$2=[REDACTED]');
  const pinoOptions: pino.LoggerOptions = {
    level: options.level ?? 'info',
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    serializers: { err: pino.stdSerializers.err },
    hooks: {
      // Masks a key that slipped into a message or error text, not only into known fields.
      streamWrite: scrub,
    },
  };
  if (options.destination) return pino(pinoOptions, options.destination);
  if (options.pretty) {
    return pino({
      ...pinoOptions,
      transport: { target: 'pino-pretty', options: { destination: 2, colorize: true } },
    });
  }
  return pino(pinoOptions, pino.destination({ dest: 2, sync: false }));
}

/** A logger that writes nothing, for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
