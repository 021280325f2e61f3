import { describe, expect, it } from 'vitest';
import { durationArg, formatDuration } from './duration.js';

describe('durationArg', () => {
  it('reads the units retention flags are given in', () => {
    expect(durationArg('7d')).toBe(7 * 24 * 3600 * 1000);
    expect(durationArg('12h')).toBe(12 * 3600 * 1000);
    expect(durationArg('30m')).toBe(30 * 60 * 1000);
    expect(durationArg('1.5s')).toBe(1500);
    expect(durationArg('250ms')).toBe(250);
  });

  it('refuses what is not a positive duration', () => {
    for (const bad of ['', '7', 'd', '0s', '-1h', '7 days', '1w'])
      expect(() => durationArg(bad), bad).toThrow(/positive duration/);
  });

  it('prints a duration in the form it reads back', () => {
    for (const text of ['7d', '12h', '90m', '45s', '250ms', '1500ms'])
      expect(formatDuration(durationArg(text))).toBe(text);
    expect(formatDuration(36 * 3600 * 1000)).toBe('36h');
  });
});
