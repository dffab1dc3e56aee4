import { greatCircleKm } from './great-circle.js';
import type { CountrySeen, LastLogin, Login, LoginPlace, UserHistory } from './login-history.js';
import type { LoginSettings } from './login-settings.js';

/** A login from a country the user's established history does not hold. */
export interface NewCountryFinding {
  country: string;
  /** The countries seen before, most logins first. */
  seenBefore: CountrySeen[];
}

/** Two logins too far apart for the time between them. */
export interface TravelFinding {
  from: LastLogin;
  to: LoginPlace;
  distanceKm: number;
  /** The distance less both accuracy radii: what the decision is taken on. */
  leastDistanceKm: number;
  minutes: number;
  speedKmh: number;
}

export interface LoginFindings {
  /** learning: the history is too young to say what is new for this user. */
  history: 'learning' | 'established';
  newCountry?: NewCountryFinding;
  travel?: TravelFinding;
  /** Why impossible travel could not be judged, when that is worth saying. */
  travelNotChecked?: string;
}

const DAY_MS = 86_400_000;
// Two logins in the same minute are as fast as any other pair: the time is floored here, so the
// speed stays a number to print.
const MIN_INTERVAL_MINUTES = 1;
/** The country every user may log in from, in logins.allowed_countries. */
export const EVERY_USER = '*';

/** What this login says against the user's history (before the login is added to it). Pure. */
export function findLoginFindings(previous: UserHistory | undefined, login: Login, settings: LoginSettings): LoginFindings {
  // The span the history covers, this login included: concurrent alerts reach the history out of
  // order, and a login a moment older than the latest must not send an established user back to learning.
  const span = previous === undefined ? 0 : Math.max(login.timeMs, previous.last.time) - previous.first;
  const established = previous !== undefined && previous.logins >= settings.learning.logins && span >= settings.learning.days * DAY_MS;
  const findings: LoginFindings = { history: established ? 'established' : 'learning' };
  if (established && !previous.countries.some((seen) => seen.country === login.place.country) && !isAllowedCountry(login.user, login.place.country, settings)) {
    findings.newCountry = { country: login.place.country, seenBefore: [...previous.countries].sort((a, b) => b.count - a.count || b.last - a.last) };
  }
  if (previous !== undefined) judgeTravel(previous.last, login, settings, findings);
  return findings;
}

function isAllowedCountry(user: string, country: string, settings: LoginSettings): boolean {
  const allowed = settings.allowed_countries;
  const listed = (key: string) => Object.hasOwn(allowed, key) && (allowed[key] ?? []).includes(country);
  return listed(user) || listed(EVERY_USER);
}

// Judged on the least distance the two places can be apart given the databases' accuracy radii,
// and only beyond min_distance_km: city-level noise must not read as travel.
function judgeTravel(from: LastLogin, login: Login, settings: LoginSettings, findings: LoginFindings): void {
  const to = login.place;
  if (from.lat === undefined || from.lon === undefined || to.lat === undefined || to.lon === undefined) {
    // Within one country a country-level position says nothing; across countries, say what was not checked.
    if (from.country !== to.country) findings.travelNotChecked = 'impossible travel not checked: no coordinates for both logins (a country database gives none; never guessed from country centroids)';
    return;
  }
  const distanceKm = greatCircleKm({ lat: from.lat, lon: from.lon }, { lat: to.lat, lon: to.lon });
  const leastDistanceKm = Math.max(0, distanceKm - (from.radius_km ?? 0) - (to.radius_km ?? 0));
  if (leastDistanceKm < settings.travel.min_distance_km) return;
  const minutes = Math.max(MIN_INTERVAL_MINUTES, Math.abs(login.timeMs - from.time) / 60_000);
  if ((leastDistanceKm / minutes) * 60 <= settings.travel.max_speed_kmh) return;
  findings.travel = { from, to, distanceKm, leastDistanceKm, minutes, speedKmh: (distanceKm / minutes) * 60 };
}
