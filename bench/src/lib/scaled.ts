// A production-like world compressed in time: the emulator runs `timeScale` real ms per
// emulated second, and every mediatag setting that is a duration is scaled the same way, so
// the run is the production run played fast.
import type { EmulatorOverrides } from '@mediatag/emulator';

/** Mean emulated processing seconds of an /audio/<n>.mp3 file at the emulator's defaults. */
export const MEAN_PROCESSING_S = (() => {
  // durationFrom(): 15% 30-180 s, 40% 180-900 s, 45% 900-3600 s; processing 3 s + 35 s per hour.
  const meanAudio = 0.15 * 105 + 0.4 * 540 + 0.45 * 2250;
  return 3 + (35 / 3600) * meanAudio;
})();

/** Real ms for emulated seconds. */
export const scaled = (timeScale: number, emulatedSeconds: number) => Math.round(emulatedSeconds * timeScale);

/**
 * The emulator's production defaults (200 slots, realistic processing) compressed by
 * `timeScale`; the request budget is production's 20,000 per 5 emulated minutes.
 */
export function scaledEmulator(timeScale: number, extra: EmulatorOverrides = {}): EmulatorOverrides {
  return {
    timeScale,
    concurrency: 200,
    rateLimit: { requests: 20_000, windowSeconds: (300 * timeScale) / 1000 },
    gateway: { requestsPerMinute: 100_000_000 },
    ...extra,
  };
}

/** mediatag's defaults with their durations compressed by `timeScale` (LLM budget unlimited). */
export function scaledEnv(timeScale: number, extra: Record<string, string> = {}): Record<string, string> {
  const windowS = (300 * timeScale) / 1000;
  if (!Number.isInteger(windowS))
    throw new Error(`timeScale ${timeScale} must make 300 emulated s whole seconds`);
  return {
    POLL_MIN_MS: String(scaled(timeScale, 3)),
    POLL_MAX_MS: String(scaled(timeScale, 60)),
    POLL_SWEEP_MS: String(scaled(timeScale, 2)),
    ASSEMBLYAI_RATE_LIMIT: `19000/${windowS}`,
    LLM_RATE_LIMIT: '100000000/60',
    ...extra,
  };
}
