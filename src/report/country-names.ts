import { nameCountry as nameCountryCode } from '../geo/country-names.js';

/**
 * English name of an ISO 3166-1 alpha-2 code for the report (the same names the geo log uses),
 * falling back to the name in the log, then the code, for codes not known.
 */
export function nameCountry(code: string, fallback?: string): string {
  return nameCountryCode(code) ?? fallback ?? code;
}
