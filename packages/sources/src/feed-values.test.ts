import { describe, expect, it } from 'vitest';
import { durationSeconds, parseDuration, parseFeedDate } from './feed-values.ts';

describe('parseDuration', () => {
  it('reads seconds, MM:SS and HH:MM:SS', () => {
    expect(parseDuration('3723')).toBe(3723);
    expect(parseDuration(' 42:07 ')).toBe(42 * 60 + 7);
    expect(parseDuration('1:02:03')).toBe(3723);
    expect(parseDuration('90:00')).toBe(5400);
    expect(parseDuration('12.5')).toBe(12.5);
  });

  it('returns null for anything else', () => {
    for (const bad of ['', 'one hour', '1:2:3:4', '-5', '1:', ':30', '1.5:00', null]) {
      expect(parseDuration(bad)).toBeNull();
    }
  });
});

describe('durationSeconds', () => {
  it('rounds to whole seconds for the integer column', () => {
    expect(durationSeconds('1014.708375')).toEqual({ ok: true, seconds: 1015 });
    expect(durationSeconds('01:02:03.500')).toEqual({ ok: true, seconds: 3724 });
    expect(durationSeconds('00:59.4')).toEqual({ ok: true, seconds: 59 });
    expect(durationSeconds('42:07')).toEqual({ ok: true, seconds: 2527 });
    expect(durationSeconds('2147483647')).toEqual({ ok: true, seconds: 2147483647 });
  });

  it('drops text in no known form and refuses what the column cannot hold', () => {
    expect(durationSeconds('about an hour')).toEqual({ ok: true, seconds: null });
    expect(durationSeconds(null)).toEqual({ ok: true, seconds: null });
    expect(durationSeconds('2147483648')).toEqual({
      ok: false,
      reason: 'duration "2147483648" is out of range (over 2147483647 seconds)',
    });
  });
});

describe('parseFeedDate', () => {
  it('reads RFC 822 dates with numeric and named zones', () => {
    expect(parseFeedDate('Mon, 06 Jan 2025 09:30:00 +0000')?.toISOString()).toBe('2025-01-06T09:30:00.000Z');
    expect(parseFeedDate('Tue, 21 Jan 2025 18:15:00 -0800')?.toISOString()).toBe('2025-01-22T02:15:00.000Z');
    expect(parseFeedDate('13 Jan 2025 08:00 EST')?.toISOString()).toBe('2025-01-13T13:00:00.000Z');
    expect(parseFeedDate('Sat, 1 Mar 97 12:00:00 GMT')?.toISOString()).toBe('1997-03-01T12:00:00.000Z');
    expect(parseFeedDate('Wed, 05 June 2024 07:00:00 PDT')?.toISOString()).toBe('2024-06-05T14:00:00.000Z');
  });

  it('reads RFC 3339 dates', () => {
    expect(parseFeedDate('2025-02-03T21:00:00Z')?.toISOString()).toBe('2025-02-03T21:00:00.000Z');
    expect(parseFeedDate('2025-02-10T21:00:00.25+01:00')?.toISOString()).toBe('2025-02-10T20:00:00.250Z');
    expect(parseFeedDate('2025-02-10')?.toISOString()).toBe('2025-02-10T00:00:00.000Z');
  });

  it('returns null for impossible or unknown dates', () => {
    for (const bad of [
      '31 Feb 2025 10:00:00 GMT',
      'yesterday',
      '2025-13-01',
      'Mon, 06 Foo 2025 09:30:00',
      null,
    ]) {
      expect(parseFeedDate(bad)).toBeNull();
    }
  });
});
