import type { LoginFindings, NewCountryFinding, TravelFinding } from './find-findings.js';
import type { LoginPlace } from './login-history.js';

// The user name comes from the alert: shown at most this long, control and format characters
// replaced, so it cannot forge lines or reorder text in an alert, an email or a terminal.
const MAX_SHOWN_USER_CHARS = 64;
const MAX_LISTED_COUNTRIES = 5;

/** One sentence a person reads for each finding, e.g. "alice: first login from RU; seen before DE (41 logins), FR (2)". Pure. */
export function describeFindings(user: string, findings: LoginFindings): string[] {
  const who = showUserName(user);
  const sentences: string[] = [];
  if (findings.newCountry) sentences.push(`${who}: ${describeNewCountry(findings.newCountry)}`);
  if (findings.travel) sentences.push(`${who}: ${describeTravel(findings.travel)}`);
  return sentences;
}

/** A user name from an alert, bounded and with control, format and separator characters replaced by "?". Pure. */
export function showUserName(user: string): string {
  const safe = user.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '?');
  const chars = [...safe];
  return chars.length > MAX_SHOWN_USER_CHARS ? `${chars.slice(0, MAX_SHOWN_USER_CHARS).join('')}…` : safe;
}

function describeNewCountry(finding: NewCountryFinding): string {
  const listed = finding.seenBefore.slice(0, MAX_LISTED_COUNTRIES).map((seen, index) => `${seen.country} (${formatCount(seen.count)}${index === 0 ? (seen.count === 1 ? ' login' : ' logins') : ''})`);
  const more = finding.seenBefore.length - listed.length;
  return `first login from ${finding.country}; seen before ${listed.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function describeTravel(travel: TravelFinding): string {
  const radius = (travel.from.radius_km ?? 0) + (travel.to.radius_km ?? 0);
  const margin = radius > 0 ? ` (at least ${formatCount(Math.round(travel.leastDistanceKm))} km within the databases' accuracy)` : '';
  return `${describePlace(travel.from)} → ${describePlace(travel.to)}, ${formatCount(Math.round(travel.distanceKm))} km in ${formatMinutes(travel.minutes)} = ${formatCount(Math.round(travel.speedKmh))} km/h${margin}`;
}

function describePlace(place: LoginPlace): string {
  return place.city ? `${place.city} (${place.country})` : place.country;
}

function formatMinutes(minutes: number): string {
  if (minutes < 120) return `${Math.round(minutes)} min`;
  const hours = minutes / 60;
  return hours < 48 ? `${Math.round(hours)} h` : `${Math.round(hours / 24)} days`;
}

// Grouped by hand: the bundle must not depend on the ICU data a Node build may lack.
function formatCount(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
