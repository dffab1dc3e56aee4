import { describe, expect, it } from 'vitest';
import { formatUtcTimestamp } from '../src/utc-timestamp';
import { createRandom } from './support/random';

describe('formatUtcTimestamp', () => {
  it('spells every instant as Date#toISOString does', () => {
    // Seeded LCG over ±300 years around the epoch, plus the edges of the four-digit years: the
    // first and last instants of year 0000 (the hand-written branch's lower end; Date.UTC would
    // read 0 as 1900), the instant before it, and the ends of year 9999.
    const random = createRandom(20261128);
    const instants = [0, -1, 1, -62167219200000, -62135596800001, -62167219200001, Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1)];
    for (let i = 0; i < 20000; i++) instants.push(Math.round((random() - 0.5) * 2 * 300 * 365.25 * 86400000));
    for (const ms of instants) expect(formatUtcTimestamp(new Date(ms))).toBe(new Date(ms).toISOString());
  });

  it('refuses an invalid date as toISOString does', () => {
    expect(() => formatUtcTimestamp(new Date(Number.NaN))).toThrowError(RangeError);
  });
});
