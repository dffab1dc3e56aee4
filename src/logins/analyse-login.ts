import type { GeoLookup } from '../geo/lookup-address.js';
import type { LockOptions } from '../firewall/firewall-lock.js';
import { describeFindings, showUserName } from './describe-findings.js';
import { findLoginFindings, type LoginFindings } from './find-findings.js';
import { updateLoginHistory } from './history-file.js';
import { recordLogin, type Login, type LoginPlace } from './login-history.js';
import type { FindingKind, LoginSettings } from './login-settings.js';

/** What one successful login was found to be, for the record and the decision. */
export interface LoginAnalysis {
  /** The user as the history keys it (bounded). */
  user?: string;
  /** One word (or two, comma-separated) for rules to match: new_country, impossible_travel, none, learning, ignored, not_recorded. */
  finding: string;
  /** In words a person reads. */
  message: string;
  found: FindingKind[];
  findings?: LoginFindings;
}

export interface AnalyseLoginInput {
  user: string | undefined;
  now: Date;
  lookup: GeoLookup;
  settings: LoginSettings;
  historyPath: string;
  lock?: LockOptions;
}

// A history key is the user name the alert carries: bounded, so no alert can grow the file by much.
const MAX_USER_KEY_CHARS = 256;

/** Judge one successful login against the user's history and add it there (under the lock). */
export async function analyseLogin(input: AnalyseLoginInput): Promise<LoginAnalysis> {
  const user = input.user === undefined || input.user === '-' || input.user === '' ? undefined : input.user.slice(0, MAX_USER_KEY_CHARS);
  if (user === undefined) return { finding: 'not_recorded', message: 'successful login without a user name; not in the login history', found: [] };
  const shown = showUserName(user);
  if (input.settings.ignore_users.includes(user)) return { user, finding: 'ignored', message: `${shown}: in logins.ignore_users; not in the login history`, found: [] };
  const place = placeOf(input.lookup);
  if (place === undefined) return { user, finding: 'not_recorded', message: `${shown}: ${describeNoPlace(input.lookup)}; not in the login history`, found: [] };

  const login: Login = { user, timeMs: input.now.getTime(), place };
  const findings = await updateLoginHistory(input.historyPath, login.timeMs, input.settings.history, (history) => {
    const found = findLoginFindings(history.get(user), login, input.settings);
    return { history: recordLogin(history, login), result: found };
  }, input.lock);
  const found: FindingKind[] = [...(findings.newCountry ? ['new_country' as const] : []), ...(findings.travel ? ['impossible_travel' as const] : [])];
  const sentences = describeFindings(user, findings);
  if (sentences.length === 0) sentences.push(`${shown}: login from ${place.country}${findings.history === 'learning' ? ' (history still learning)' : ', a known country'}`);
  if (findings.travelNotChecked) sentences.push(findings.travelNotChecked);
  return { user, finding: found.length > 0 ? found.join(',') : findings.history === 'learning' ? 'learning' : 'none', message: sentences.join('; '), found, findings };
}

function placeOf(lookup: GeoLookup): LoginPlace | undefined {
  const fields = lookup.fields;
  if (lookup.addressClass !== 'public' || lookup.error !== undefined || fields.countryIsoCode === undefined) return undefined;
  const hasPosition = fields.latitude !== undefined && fields.longitude !== undefined;
  return {
    country: fields.countryIsoCode,
    ...(fields.cityName !== undefined ? { city: fields.cityName } : {}),
    ...(hasPosition ? { lat: fields.latitude, lon: fields.longitude } : {}),
    ...(hasPosition && fields.accuracyRadiusKm !== undefined ? { radius_km: fields.accuracyRadiusKm } : {}),
  };
}

function describeNoPlace(lookup: GeoLookup): string {
  if (lookup.addressClass !== 'public') return `login from a ${lookup.addressClass} address, which has no country`;
  if (lookup.error !== undefined) return 'the lookup failed, so no country to compare';
  return 'the country of the address is unknown';
}
