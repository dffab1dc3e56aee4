/**
 * The two findings a `geo_response.login.finding` string can name (comma-separated, the spelling
 * rules match on: src/logins/analyse-login.ts writes it). Read here once for the alert line and
 * the report, so both read it the same way.
 */
export function findingFlags(finding: string): { newCountry: boolean; travel: boolean } {
  const found = finding.split(',');
  return { newCountry: found.includes('new_country'), travel: found.includes('impossible_travel') };
}
