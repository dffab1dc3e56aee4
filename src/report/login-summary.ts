import { CappedCounter, compareText } from './capped-counter.js';
import type { ReportEvent } from './report-event.js';
import { findingFlags } from '../log/login-finding.js';

/** `report --logins`: per user, where they logged in from and what was found, over time. */
export interface LoginSummary {
  schema: 1;
  view: 'logins';
  /** Records of successful logins among those that passed the filters. */
  logins: number;
  /** Users beyond MAX_USERS: their logins are counted here, not listed. */
  other_users_logins: number;
  users: UserSummary[];
  /** Findings per UTC day, oldest first. */
  findings_by_day: Array<{ day: string; new_country: number; impossible_travel: number }>;
}

export interface UserSummary {
  user: string;
  logins: number;
  first: string;
  last: string;
  /** Most logins first; "(other)" past the cap. */
  countries: Array<{ country: string; logins: number }>;
  findings: { new_country: number; impossible_travel: number };
  /** The latest findings, newest last. */
  recent_findings: Array<{ time: string; finding: string; message: string }>;
}

// The log is attacker-influenced (user names come from alerts): every collection is capped so a
// log of a million distinct names costs bounded memory.
const MAX_USERS = 10_000;
const MAX_COUNTRIES_PER_USER = 50;
const RECENT_FINDINGS_PER_USER = 10;
const MAX_DAYS = 3_700;
const UNKNOWN_COUNTRY = '??';

interface UserTally {
  logins: number;
  firstMs: number;
  lastMs: number;
  countries: CappedCounter;
  newCountry: number;
  travel: number;
  recent: Array<{ timeMs: number; finding: string; message: string }>;
}

/** Collects the logins view from report events, one at a time (constant memory per user). */
export class LoginAccumulator {
  private readonly users = new Map<string, UserTally>();
  private readonly days = new Map<string, { new_country: number; impossible_travel: number }>();
  private logins = 0;
  private otherUsersLogins = 0;

  /** Count one record; records that are not successful logins are ignored. */
  add(event: ReportEvent): void {
    const login = event.login;
    if (login === undefined || event.action !== 'add') return;
    this.logins += 1;
    let tally = this.users.get(login.user);
    if (tally === undefined) {
      if (this.users.size >= MAX_USERS) {
        this.otherUsersLogins += 1;
        return;
      }
      tally = { logins: 0, firstMs: event.timeMs, lastMs: event.timeMs, countries: new CappedCounter(MAX_COUNTRIES_PER_USER), newCountry: 0, travel: 0, recent: [] };
      this.users.set(login.user, tally);
    }
    tally.logins += 1;
    tally.firstMs = Math.min(tally.firstMs, event.timeMs);
    tally.lastMs = Math.max(tally.lastMs, event.timeMs);
    tally.countries.addOne(event.countryCode ?? UNKNOWN_COUNTRY);
    const { newCountry, travel } = findingFlags(login.finding);
    if (!newCountry && !travel) return;
    if (newCountry) tally.newCountry += 1;
    if (travel) tally.travel += 1;
    tally.recent.push({ timeMs: event.timeMs, finding: login.finding, message: login.message });
    if (tally.recent.length > RECENT_FINDINGS_PER_USER) tally.recent.shift();
    const day = new Date(event.timeMs).toISOString().slice(0, 10);
    const perDay = this.days.get(day) ?? (this.days.size < MAX_DAYS ? { new_country: 0, impossible_travel: 0 } : undefined);
    if (perDay === undefined) return;
    perDay.new_country += newCountry ? 1 : 0;
    perDay.impossible_travel += travel ? 1 : 0;
    this.days.set(day, perDay);
  }

  /** The summary: users with the most logins first (ties by name), at most `top` of them (0 = all). */
  finish(top: number): LoginSummary {
    const users = [...this.users].map(([user, tally]) => summariseUser(user, tally)).sort((a, b) => b.logins - a.logins || compareText(a.user, b.user));
    return {
      schema: 1,
      view: 'logins',
      logins: this.logins,
      other_users_logins: this.otherUsersLogins,
      users: top > 0 ? users.slice(0, top) : users,
      findings_by_day: [...this.days].sort((a, b) => compareText(a[0], b[0])).map(([day, counts]) => ({ day, ...counts })),
    };
  }
}

function summariseUser(user: string, tally: UserTally): UserSummary {
  // Alerts can be logged out of order (concurrent execd children): findings are listed by time.
  const recent = [...tally.recent].sort((a, b) => a.timeMs - b.timeMs);
  return {
    user,
    logins: tally.logins,
    first: new Date(tally.firstMs).toISOString(),
    last: new Date(tally.lastMs).toISOString(),
    countries: tally.countries.toSortedEntries().map(([country, logins]) => ({ country, logins })),
    findings: { new_country: tally.newCountry, impossible_travel: tally.travel },
    recent_findings: recent.map((finding) => ({ time: new Date(finding.timeMs).toISOString(), finding: finding.finding, message: finding.message })),
  };
}
