import { afterEach, describe, expect, it } from 'vitest';
import { apiTimeMs } from './time.ts';

const zone = process.env.TZ;
afterEach(() => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

describe('apiTimeMs', () => {
  it('reads AssemblyAI timestamps, which carry no zone, as UTC', () => {
    expect(apiTimeMs('2024-05-01T10:00:00.123456')).toBe(Date.UTC(2024, 4, 1, 10, 0, 0, 123));
    expect(apiTimeMs('2024-05-01T10:00:00.123Z')).toBe(Date.UTC(2024, 4, 1, 10, 0, 0, 123));
    expect(apiTimeMs('2024-05-01T12:00:00+02:00')).toBe(Date.UTC(2024, 4, 1, 10, 0, 0));
  });

  it('whatever the zone of the machine', () => {
    for (const tz of ['Asia/Tokyo', 'America/Los_Angeles']) {
      process.env.TZ = tz;
      expect(apiTimeMs('2024-05-01T10:00:00.123456')).toBe(Date.UTC(2024, 4, 1, 10, 0, 0, 123));
    }
  });
});
