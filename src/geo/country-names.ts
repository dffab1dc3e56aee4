// Flat databases carry only the ISO code. Node's ICU knows every region's English name, but
// building an Intl.DisplayNames loads ICU's region data: ~9 ms on every alert (measured with
// --cpu-prof). So the build asks ICU once and bakes the table into the bundle (tsup.config.ts);
// unbundled code (tests on the sources) asks ICU directly, which gives the same names.
declare const __GEO_RESPONSE_COUNTRY_NAMES__: Record<string, string> | undefined;

const BAKED_NAMES: Record<string, string> | undefined = typeof __GEO_RESPONSE_COUNTRY_NAMES__ === 'object' ? __GEO_RESPONSE_COUNTRY_NAMES__ : undefined;
let displayNames: Intl.DisplayNames | undefined;

/** The English name of an ISO 3166-1 alpha-2 country code, or undefined when unknown. */
export function nameCountry(isoCode: string): string | undefined {
  if (!/^[A-Z]{2}$/.test(isoCode)) return undefined;
  if (BAKED_NAMES) return BAKED_NAMES[isoCode];
  try {
    displayNames ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    return displayNames.of(isoCode);
  } catch {
    // A Node built without full ICU has no region names: the ISO code alone is still correct.
    return undefined;
  }
}
