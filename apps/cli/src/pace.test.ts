import { cliEnvSchema, parseEnv } from '@mediatag/config';
import { emptyProgress, type Progress } from '@mediatag/db';
import { describe, expect, it } from 'vitest';
import { describePace, pace } from './pace.ts';

const progress = (p: Partial<Progress>): Progress => ({ ...emptyProgress('b'), ...p });

describe('pace: which limit binds and the ETA it gives', () => {
  const backlog = progress({ total: 10_000, pending: 10_000 });

  it('one file per request on a default account: the gateway binds, 30 files a minute', () => {
    const env = parseEnv(cliEnvSchema, { TAG_BATCH_SIZE: '1' });
    const x = pace(env, backlog, { meanProcessingS: null, filesPerRequest: null });
    expect(x.binding).toBe('gateway requests per minute');
    expect(x.filesPerMinute['gateway requests per minute']).toBe(30);
    expect(x.filesPerMinute['transcription slots']).toBe(300); // 200 slots / 40 s
    expect(x.etaSeconds).toBeCloseTo((10_000 / 30) * 60);
    expect(describePace(x)).toBe('binds: gateway requests per minute (1.0 files a request = 30 files/min)');
  });

  it('batched: transcription binds again, and the ETA is the slots’ time', () => {
    const env = parseEnv(cliEnvSchema, { TAG_BATCH_SIZE: '20' });
    const x = pace(env, backlog, { meanProcessingS: 40, filesPerRequest: 12 });
    expect(x.filesPerMinute['gateway requests per minute']).toBe(360);
    expect(x.binding).toBe('transcription slots');
    expect(x.etaSeconds).toBeCloseTo((10_000 / 300) * 60);
    expect(describePace(x)).toBe('binds: transcription slots (200 slots / 40 s each = 300 files/min)');
  });

  it('a small REST budget binds before the slots', () => {
    const env = parseEnv(cliEnvSchema, { ASSEMBLYAI_RATE_LIMIT: '600/300' });
    const x = pace(env, backlog, { meanProcessingS: 40, filesPerRequest: 10 });
    expect(x.binding).toBe('REST request budget');
    expect(x.filesPerMinute['REST request budget']).toBe(30); // 120 requests/min, 4 a file
  });

  it('nothing left: no ETA', () => {
    const env = parseEnv(cliEnvSchema, {});
    expect(
      pace(env, progress({ total: 3, final: 3, tagged: 3 }), { meanProcessingS: 40, filesPerRequest: 10 })
        .etaSeconds,
    ).toBeNull();
  });
});
