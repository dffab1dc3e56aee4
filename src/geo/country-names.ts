// Flat databases carry only the ISO code. Node's ICU knows every region's English name, but
// building an Intl.DisplayNames loads ICU's region data: ~9 ms on every alert (measured with
// --cpu-prof). So the build asks ICU once and bakes the table into the bundle (tsup.config.ts);
// unbundled code (tests on the sources) asks ICU directly, which gives the same names.
// The table is one string of `\nCC=Name` lines, not an object: an alert would otherwise build a
// 250-property object it reads one name from (~0.05 ms).
declare const __GEO_RESPONSE_COUNTRY_NAMES__: string | undefined;

const BAKED_NAMES: string | undefined = typeof __GEO_RESPONSE_COUNTRY_NAMES__ === 'string' ? __GEO_RESPONSE_COUNTRY_NAMES__ : undefined;
let displayNames: Intl.DisplayNames | undefined;

/** The English name of an ISO 3166-1 alpha-2 country code, or undefined when unknown. */
export function nameCountry(isoCode: string): string | undefined {
  if (!isTwoCapitals(isoCode)) return undefined;
  if (BAKED_NAMES !== undefined) return findBakedName(BAKED_NAMES, isoCode);
  try {
    displayNames ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    return displayNames.of(isoCode);
  } catch {
    // A Node built without full ICU has no region names: the ISO code alone is still correct.
    return undefined;
  }
}

function findBakedName(table: string, isoCode: string): string | undefined {
  const at = table.indexOf(`\n${isoCode}=`);
  if (at === -1) return undefined;
  const end = table.indexOf('\n', at + 1);
  return table.slice(at + 4, end === -1 ? table.length : end);
}

// Not /^[A-Z]{2}$/: a regular expression's first use costs an alert more than this.
function isTwoCapitals(text: string): boolean {
  return text.length === 2 && isCapital(text.charCodeAt(0)) && isCapital(text.charCodeAt(1));
}

function isCapital(code: number): boolean {
  return code >= 65 && code <= 90;
}
