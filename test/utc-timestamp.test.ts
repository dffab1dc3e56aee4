import { describe, expect, it } from 'vitest';
import { formatUtcTimestamp } from '../src/log/utc-timestamp';

describe('formatUtcTimestamp', () => {
  it('spells every instant as Date#toISOString does', () => {
    // Seeded LCG over ±300 years around the epoch, plus the edges of the four-digit years.
    let seed = 20261128;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const instants = [0, -1, 1, Date.UTC(0, 0, 1) - 1, Date.UTC(0, 0, 1), Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), -62198755200000];
    for (let i = 0; i < 20000; i++) instants.push(Math.round((random() - 0.5) * 2 * 300 * 365.25 * 86400000));
    for (const ms of instants) expect(formatUtcTimestamp(new Date(ms))).toBe(new Date(ms).toISOString());
  });

  it('refuses an invalid date as toISOString does', () => {
    expect(() => formatUtcTimestamp(new Date(Number.NaN))).toThrowError(RangeError);
  });
});
