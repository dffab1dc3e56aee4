import type { LoginAnalysis } from '../logins/analyse-login.js';
import type { LoginFields } from './record.js';

/** `geo_response.login` from a login's analysis; `cap` bounds the text that came from the alert. Pure. */
export function buildLoginFields(analysis: LoginAnalysis, cap: (text: string) => string): LoginFields {
  const fields: LoginFields = { ...(analysis.user !== undefined ? { user: cap(analysis.user) } : {}), finding: analysis.finding, message: cap(analysis.message) };
  const findings = analysis.findings;
  if (findings === undefined) return fields;
  fields.history = findings.history;
  if (findings.newCountry) {
    fields.new_country = { country: findings.newCountry.country, seen_before: findings.newCountry.seenBefore.map((seen) => ({ country: seen.country, logins: seen.count })) };
  }
  if (findings.travel) {
    const { from, to } = findings.travel;
    fields.travel = {
      from_country: from.country,
      ...(from.city !== undefined ? { from_city: from.city } : {}),
      to_country: to.country,
      ...(to.city !== undefined ? { to_city: to.city } : {}),
      distance_km: Math.round(findings.travel.distanceKm),
      least_distance_km: Math.round(findings.travel.leastDistanceKm),
      minutes: Math.round(findings.travel.minutes * 10) / 10,
      speed_kmh: Math.round(findings.travel.speedKmh),
    };
  }
  if (findings.travelNotChecked) fields.travel_not_checked = findings.travelNotChecked;
  return fields;
}
