import { isValid as isValidCountryCode } from 'i18n-iso-countries/index.js';

// The usual mix-ups get the right code in the message.
const CODE_HINTS: Record<string, string> = { UK: 'GB', EL: 'GR', SU: 'RU' };

/** Whether a two-capital code is an assigned ISO 3166-1 alpha-2 code (XK, Kosovo, as MaxMind and DB-IP use it, included). */
export function isAssignedCountryCode(code: string): boolean {
  return isValidCountryCode(code);
}

/** Why a well-formed code names no country, with the likely one when it is a usual mix-up. */
export function describeUnassignedCode(code: string): string {
  const hint = CODE_HINTS[code];
  return `${JSON.stringify(code)} is not an assigned ISO 3166-1 alpha-2 code${hint ? ` (did you mean "${hint}"?)` : ''}`;
}
