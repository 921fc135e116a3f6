import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatorContext } from './context.ts';
import { seededRandom } from './core/random.ts';
import { KeyedFixedWindowLimiter, SlidingWindowLimiter } from './core/rate-limit.ts';
import { type EmulatorStats, StatsRecorder } from './core/stats.ts';
import { Timeline } from './core/timeline.ts';
import {
  DEFAULT_OPTIONS,
  type EmulatorOptions,
  type EmulatorOverrides,
  type Faults,
  gatewayWindowMs,
  mergeOptions,
} from './options.ts';
import { requestListener } from './server.ts';
import type { UploadRecord } from './transcripts/content.ts';
import { downloadAudio } from './transcripts/download.ts';
import { TranscriptEngine } from './transcripts/engine.ts';
import { WebhookSender } from './webhooks.ts';

export type { EmulatorStats, FaultKind } from './core/stats.ts';
export {
  DEFAULT_OPTIONS,
  type EmulatorOptions,
  type EmulatorOverrides,
  type Faults,
  NO_FAULTS,
  type ProcessingOptions,
} from './options.ts';
export { TRANSCRIPT_PLACEHOLDER } from './routes/gateway-messages.ts';
export { LOOKUP_ERROR } from './routes/transcripts.ts';
export { generatedDurationSeconds } from './transcripts/content.ts';

/** A running emulator. */
export interface Emulator {
  /** `http://127.0.0.1:PORT`: the base for REST v2 (`/v2/...`), the gateway (`/v1/...`) and the extras. */
  url: string;
  port: number;
  /** Same object as GET /_emulator/stats. */
  stats(): EmulatorStats;
  resetStats(): void;
  setFaults(faults: Partial<Faults>): void;
  /**
   * The last request bodies of POST /v2/transcript, oldest first, as received (refused ones
   * too; the webhook secret masked), as GET /_emulator/submissions returns them.
   */
  receivedSubmissions(): Record<string, unknown>[];
  /** Change options at run time (not `port` or `host`). */
  configure(options: EmulatorOverrides): void;
  close(): Promise<void>;
}

// Enough to inspect what a test or a run sent; a bench's 20,000 submissions keep only the last.
const MAX_KEPT_SUBMISSIONS = 1000;

/** Start an AssemblyAI-compatible server (REST v2 + LLM Gateway) on one port. */
export async function startEmulator(overrides: EmulatorOverrides = {}): Promise<Emulator> {
  let options: EmulatorOptions = mergeOptions(DEFAULT_OPTIONS, overrides);
  let baseUrl = '';
  const timeline = new Timeline();
  const stats = new StatsRecorder(options.concurrency);
  const webhooks = new WebhookSender({ options: () => options, timeline, stats });
  const submissions: Record<string, unknown>[] = [];
  const ctx: EmulatorContext = {
    options: () => options,
    baseUrl: () => baseUrl,
    stats,
    engine: new TranscriptEngine({
      options: () => options,
      timeline,
      stats,
      onFinished: (record) => webhooks.transcriptFinished(record),
      download: (url) => downloadAudio(url),
    }),
    uploads: new Map<string, UploadRecord>(),
    random: seededRandom(options.seed),
    v2Limiter: new SlidingWindowLimiter(options.rateLimit.requests, options.rateLimit.windowSeconds * 1000),
    gatewayLimiter: new KeyedFixedWindowLimiter(
      options.gateway.requestsPerMinute ?? 1,
      gatewayWindowMs(options),
    ),
    timeline,
    received(body) {
      const kept = { ...body };
      if (typeof kept.webhook_auth_header_value === 'string') kept.webhook_auth_header_value = '***';
      submissions.push(kept);
      if (submissions.length > MAX_KEPT_SUBMISSIONS) submissions.shift();
    },
  };

  const configure = (patch: EmulatorOverrides): void => {
    if (
      (patch.port !== undefined && patch.port !== options.port) ||
      (patch.host ?? options.host) !== options.host
    ) {
      throw new Error('port and host cannot change while the emulator runs');
    }
    const previous = options;
    options = mergeOptions(previous, patch);
    if (
      options.rateLimit.requests !== previous.rateLimit.requests ||
      patch.rateLimit?.windowSeconds !== undefined
    ) {
      ctx.v2Limiter.reconfigure(options.rateLimit.requests, options.rateLimit.windowSeconds * 1000);
    }
    ctx.gatewayLimiter.reconfigure(options.gateway.requestsPerMinute ?? 1, gatewayWindowMs(options));
    if (options.seed !== previous.seed) ctx.random = seededRandom(options.seed);
    if (options.concurrency !== previous.concurrency) {
      stats.setConcurrency(options.concurrency);
      ctx.engine.concurrencyChanged();
    }
  };
  const controls = {
    resetStats: () => {
      stats.reset();
      submissions.length = 0;
    },
    receivedSubmissions: () => submissions.map((body) => structuredClone(body)),
    setFaults: (faults: Partial<Faults>) => configure({ faults }),
    configure,
  };

  const server = createServer({ keepAlive: true }, requestListener(ctx, controls));
  // Uploads of several GB can take longer than node's default 5 minute request timeout.
  server.requestTimeout = 0;
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  baseUrl = `http://${host}:${port}`;

  return {
    url: baseUrl,
    port,
    stats: () => stats.snapshot(),
    resetStats: controls.resetStats,
    receivedSubmissions: controls.receivedSubmissions,
    setFaults: controls.setFaults,
    configure,
    close: async () => {
      timeline.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await webhooks.close();
      await closed;
    },
  };
}
