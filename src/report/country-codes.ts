// The package's main entry registers every locale (about 1 MB); its plain index has the code tables alone.
import { numericToAlpha2 } from 'i18n-iso-countries/index.js';

/**
 * Natural Earth shapes with no ISO numeric id in world-atlas, mapped to the
 * code GeoIP databases give their addresses (MaxMind and DB-IP use XK for
 * Kosovo; addresses in Northern Cyprus and Somaliland resolve to CY and SO).
 */
const UNNUMBERED_SHAPES: Record<string, string> = {
  Kosovo: 'XK',
  'N. Cyprus': 'CY',
  Somaliland: 'SO',
};

/** ISO 3166-1 alpha-2 code of a world-atlas country (keyed by numeric id, or by name when it has none). */
export function toAlpha2(numericId: string | number | undefined, name: string | undefined): string | undefined {
  if (numericId !== undefined && numericId !== '') {
    const code = numericToAlpha2(numericId);
    if (code !== undefined) return code;
  }
  return name === undefined ? undefined : UNNUMBERED_SHAPES[name];
}
