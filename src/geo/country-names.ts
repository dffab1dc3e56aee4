// Flat databases carry only the ISO code. Node's ICU already knows every region's English name,
// so no table of our own is needed; the formatter is built on first use (it costs a few ms).
let displayNames: Intl.DisplayNames | undefined;

/** The English name of an ISO 3166-1 alpha-2 country code, or undefined when ICU does not know it. */
export function nameCountry(isoCode: string): string | undefined {
  if (!/^[A-Z]{2}$/.test(isoCode)) return undefined;
  try {
    displayNames ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    return displayNames.of(isoCode);
  } catch {
    // A Node built without full ICU has no region names: the ISO code alone is still correct.
    return undefined;
  }
}
