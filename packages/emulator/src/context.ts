import type { Random } from './core/random.ts';
import type { KeyedFixedWindowLimiter, SlidingWindowLimiter } from './core/rate-limit.ts';
import type { StatsRecorder } from './core/stats.ts';
import type { Timeline } from './core/timeline.ts';
import type { EmulatorOptions } from './options.ts';
import type { UploadRecord } from './transcripts/content.ts';
import type { TranscriptEngine } from './transcripts/engine.ts';

/** The state of one emulator instance that the route handlers share. */
export interface EmulatorContext {
  /** Current options (configure() swaps them at run time). */
  options(): EmulatorOptions;
  /** `http://host:port`, known once the server listens. */
  baseUrl(): string;
  stats: StatsRecorder;
  engine: TranscriptEngine;
  uploads: Map<string, UploadRecord>;
  /** Seeded PRNG for fault rolls, so a run with a given seed and request order repeats. */
  random: Random;
  v2Limiter: SlidingWindowLimiter;
  gatewayLimiter: KeyedFixedWindowLimiter;
  timeline: Timeline;
  /** Records a POST /v2/transcript body as received (see `receivedSubmissions`). */
  received(body: Record<string, unknown>): void;
}
