let displayNames: Intl.DisplayNames | undefined;

/**
 * English name of an ISO 3166-1 alpha-2 code, from Node's ICU data (no table
 * of our own to keep current). Falls back to the name in the log, then the
 * code, for codes ICU does not know.
 */
export function nameCountry(code: string, fallback?: string): string {
  displayNames ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  let name: string | undefined;
  try {
    name = displayNames.of(code);
  } catch {
    // Intl throws RangeError on a syntactically invalid region code: use the fallback below.
    name = undefined;
  }
  return name ?? fallback ?? code;
}
