import type { CliEnv } from '@mediatag/config';
import type { Progress, RecentPace } from '@mediatag/db';

/** Which account limit sets how fast a batch can move now. */
export type Limit = 'transcription slots' | 'REST request budget' | 'gateway requests per minute';

/** The binding limit, what each limit allows, and the ETA it gives. */
export interface Pace {
  binding: Limit;
  /** Files a minute each limit allows. */
  filesPerMinute: Record<Limit, number>;
  /** Seconds until every file is final at the binding rate (null when nothing is left). */
  etaSeconds: number | null;
  /** The figures behind it, for `--json` and the README's arithmetic. */
  assumptions: {
    slots: number;
    meanProcessingS: number;
    requestsPerFile: number;
    filesPerRequest: number;
    models: number;
  };
}

/** What AssemblyAI's docs give when nothing was measured yet: most files finish in 35-45 s. */
const TYPICAL_PROCESSING_S = 40;
/** One submission and about three status checks (webhooks: one) per file. */
const GETS_PER_FILE = 3;

/**
 * The arithmetic of "how long will my backlog take": transcription moves slots / processing
 * time; the REST budget moves budget / requests per file; tagging moves the per-model request
 * rate × models in use × files per request. The slowest of the three binds; the ETA takes what
 * is left for each stage at its own rate and keeps the longest.
 */
export function pace(env: CliEnv, p: Progress, recent: RecentPace): Pace {
  const slots = env.MAX_IN_FLIGHT;
  const meanProcessingS = recent.meanProcessingS ?? TYPICAL_PROCESSING_S;
  const requestsPerFile = 1 + (env.WEBHOOK_BASE_URL ? 1 : GETS_PER_FILE);
  const models = env.LLM_SPREAD_MODELS ? Math.max(1, env.LLM_MODELS.length) : 1;
  const filesPerRequest = recent.filesPerRequest ?? env.TAG_BATCH_SIZE;
  const perMinute = (r: { requests: number; windowMs: number }) => (r.requests * 60_000) / r.windowMs;
  const filesPerMinute: Record<Limit, number> = {
    'transcription slots': (slots * 60) / Math.max(1, meanProcessingS),
    'REST request budget': perMinute(env.ASSEMBLYAI_RATE_LIMIT) / requestsPerFile,
    'gateway requests per minute': perMinute(env.LLM_RATE_LIMIT) * models * filesPerRequest,
  };
  const transcribing = Math.min(filesPerMinute['transcription slots'], filesPerMinute['REST request budget']);
  const toTranscribe = p.pending + p.queued + p.processing;
  const toTag = p.total - p.final - p.transcriptErrors;
  const txMinutes = toTranscribe / transcribing;
  const tagMinutes = toTag / filesPerMinute['gateway requests per minute'];
  const binding: Limit =
    tagMinutes > txMinutes
      ? 'gateway requests per minute'
      : filesPerMinute['transcription slots'] <= filesPerMinute['REST request budget']
        ? 'transcription slots'
        : 'REST request budget';
  const left = toTranscribe + toTag;
  return {
    binding,
    filesPerMinute,
    etaSeconds: left === 0 ? null : Math.max(txMinutes, tagMinutes) * 60,
    assumptions: { slots, meanProcessingS, requestsPerFile, filesPerRequest, models },
  };
}

/** "binds: gateway requests per minute (30/min × 9.6 files = 288 files/min)". */
export function describePace(x: Pace): string {
  const a = x.assumptions;
  const rate = Math.round(x.filesPerMinute[x.binding]);
  const why =
    x.binding === 'transcription slots'
      ? `${a.slots} slots / ${Math.round(a.meanProcessingS)} s each`
      : x.binding === 'REST request budget'
        ? `${a.requestsPerFile} requests a file`
        : `${a.models > 1 ? `${a.models} models × ` : ''}${a.filesPerRequest.toFixed(1)} files a request`;
  return `binds: ${x.binding} (${why} = ${rate} files/min)`;
}
