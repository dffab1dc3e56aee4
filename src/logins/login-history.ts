/*
 * The per-user login history: per user, the countries seen (first and last seen, count) and the
 * last login's place and time — only what the new-country and impossible-travel decisions need.
 * Pure: the file (history-file.ts) and the clock are the caller's.
 */

/** One country a user has logged in from. Times are milliseconds since the epoch. */
export interface CountrySeen {
  country: string;
  first: number;
  last: number;
  count: number;
}

/** Where a login came from; coordinates only where the database has them. */
export interface LoginPlace {
  country: string;
  city?: string;
  lat?: number;
  lon?: number;
  /** The database's accuracy radius, where it gives one (GeoIP2 City). */
  radius_km?: number;
}

export interface LastLogin extends LoginPlace {
  time: number;
}

export interface UserHistory {
  user: string;
  /** When the history of this user started: the learning period counts from here. */
  first: number;
  logins: number;
  countries: CountrySeen[];
  last: LastLogin;
}

/** Users by name; a Map, so that no user name ("__proto__", "constructor") can touch an object's prototype. */
export type LoginHistory = Map<string, UserHistory>;

/** One successful login as the history records it. */
export interface Login {
  user: string;
  timeMs: number;
  place: LoginPlace;
}

export interface HistoryLimits {
  max_users: number;
  max_countries_per_user: number;
  forget_days: number;
}

const HISTORY_FORMAT_VERSION = 1;
const DAY_MS = 86_400_000;

/** The history after one more login of a user. The caller's history is not changed. Pure. */
export function recordLogin(history: LoginHistory, login: Login): LoginHistory {
  const next = new Map(history);
  const previous = history.get(login.user);
  const countries = previous ? previous.countries.map((seen) => ({ ...seen })) : [];
  const seen = countries.find((entry) => entry.country === login.place.country);
  if (seen) {
    seen.count += 1;
    seen.first = Math.min(seen.first, login.timeMs);
    seen.last = Math.max(seen.last, login.timeMs);
  } else {
    countries.push({ country: login.place.country, first: login.timeMs, last: login.timeMs, count: 1 });
  }
  // Alerts can arrive out of order (concurrent execd children): the latest login stays the last.
  const last = previous && previous.last.time > login.timeMs ? previous.last : { time: login.timeMs, ...login.place };
  next.set(login.user, {
    user: login.user,
    first: previous ? Math.min(previous.first, login.timeMs) : login.timeMs,
    logins: (previous?.logins ?? 0) + 1,
    countries,
    last,
  });
  return next;
}

/**
 * The history with old entries aged out and cut to its limits: countries not seen for
 * forget_days, users not seen for forget_days, then the least recently seen countries of a user
 * and the least recently active users beyond the limits. Pure.
 */
export function ageHistory(history: LoginHistory, nowMs: number, limits: HistoryLimits): LoginHistory {
  const horizon = nowMs - limits.forget_days * DAY_MS;
  const kept: UserHistory[] = [];
  for (const entry of history.values()) {
    if (entry.last.time < horizon) continue;
    const countries = entry.countries
      .filter((seen) => seen.last >= horizon)
      .sort((a, b) => b.last - a.last)
      .slice(0, limits.max_countries_per_user);
    kept.push(countries.length === entry.countries.length ? entry : { ...entry, countries });
  }
  kept.sort((a, b) => b.last.time - a.last.time);
  return new Map(kept.slice(0, limits.max_users).map((entry) => [entry.user, entry]));
}

/** The state file's text: one user per line, so an admin can read it with less. Pure. */
export function formatLoginHistory(history: LoginHistory): string {
  const lines = [...history.values()].map((entry) => JSON.stringify(entry));
  return `{"version":${HISTORY_FORMAT_VERSION},"users":[\n${lines.join(',\n')}\n]}\n`;
}

/** The history a state file's text holds; entries without the expected shape are left out. Throws on text that is not a login history at all. Pure. */
export function parseLoginHistory(text: string): LoginHistory {
  const document = JSON.parse(text) as { version?: unknown; users?: unknown };
  if (document?.version !== HISTORY_FORMAT_VERSION || !Array.isArray(document.users)) throw new Error(`not a version ${HISTORY_FORMAT_VERSION} login history`);
  const history: LoginHistory = new Map();
  for (const entry of document.users) {
    if (isUserHistory(entry)) history.set(entry.user, entry);
  }
  return history;
}

function isUserHistory(value: unknown): value is UserHistory {
  const entry = value as Partial<UserHistory> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.user === 'string' &&
    isTime(entry.first) &&
    Number.isInteger(entry.logins) &&
    Array.isArray(entry.countries) &&
    entry.countries.every(isCountrySeen) &&
    isPlace(entry.last) &&
    isTime(entry.last.time)
  );
}

function isCountrySeen(value: unknown): value is CountrySeen {
  const seen = value as Partial<CountrySeen> | null;
  return typeof seen === 'object' && seen !== null && typeof seen.country === 'string' && isTime(seen.first) && isTime(seen.last) && Number.isInteger(seen.count);
}

function isPlace(value: unknown): value is LastLogin {
  const place = value as Partial<LastLogin> | null;
  if (typeof place !== 'object' || place === null || typeof place.country !== 'string') return false;
  const optionalNumber = (field: unknown) => field === undefined || (typeof field === 'number' && Number.isFinite(field));
  return (place.city === undefined || typeof place.city === 'string') && optionalNumber(place.lat) && optionalNumber(place.lon) && optionalNumber(place.radius_km);
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
