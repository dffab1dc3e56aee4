import { describe, expect, it } from 'vitest';
import { nameCountry } from '../src/geo/country-names';

// From the sources, names come from ICU (the bundle bakes the same table at build time; the
// protocol tests read them through the bundle).
describe('nameCountry', () => {
  it.each([
    ['GB', 'United Kingdom'],
    ['RU', 'Russia'],
    ['CI', 'Côte d’Ivoire'],
  ])('%s is %s', (code, name) => {
    expect(nameCountry(code)).toBe(name);
  });

  it.each(['gb', 'G', 'GBR', 'G1', '', '[B', 'ÅB'])('%j is not an ISO code', (code) => {
    expect(nameCountry(code)).toBeUndefined();
  });
});
