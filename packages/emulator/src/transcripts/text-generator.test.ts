import { describe, expect, it } from 'vitest';
import { randomFromText } from '../core/random.ts';
import { resolveAudio } from './content.ts';
import { generateAudio } from './text-generator.ts';

describe('generated speech', () => {
  it('is 60-300 words whatever the duration, unless a speaking rate is asked for', () => {
    const short = generateAudio(randomFromText('https://x.test/audio/7.mp3'));
    const words = short.text.split(' ').length;
    expect(words).toBeGreaterThanOrEqual(60);
    expect(words).toBeLessThanOrEqual(300);
    const long = generateAudio(randomFromText('https://x.test/audio/7.mp3'), 150);
    // Same recording: same duration and the same opening words, now as long as the speech.
    expect(long.durationSeconds).toBe(short.durationSeconds);
    expect(long.text.split(' ').length).toBe(Math.max(words, Math.round((short.durationSeconds * 150) / 60)));
    expect(long.text.startsWith(short.text.slice(0, 40))).toBe(true);
  });

  it('reads ?wpm= on a generated audio URL', () => {
    const url = 'http://127.0.0.1:1/audio/42.mp3?wpm=150';
    const audio = resolveAudio(url, '/audio/42.mp3', new Map(), 'http://127.0.0.1:1');
    expect(audio.text.split(' ').length).toBe(Math.max(60, Math.round((audio.durationSeconds * 150) / 60)));
  });
});
