import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lookupAddress } from '../src/geo/lookup-address';
import { openMmdb as openDatabase } from '../src/geo/mmdb/index';
import { parseIpAddress } from '../src/geo/ip-address';
import { greatCircleKm } from '../src/logins/great-circle';
import { ageHistory, formatLoginHistory, parseLoginHistory, recordLogin, type Login, type LoginHistory, type LoginPlace } from '../src/logins/login-history';
import { findLoginFindings } from '../src/logins/find-findings';
import { describeFindings, showUserName } from '../src/logins/describe-findings';
import { defaultLoginSettings, type LoginSettings } from '../src/logins/login-settings';
import { isSuccessfulLogin } from '../src/logins/classify-alert';
import { decideLoginAction } from '../src/logins/decide-login';
import { analyseLogin } from '../src/logins/analyse-login';
import { readLoginHistory } from '../src/logins/history-file';
import { parseInvocation } from '../src/invocation/parse-invocation';
import { readFileSync } from 'node:fs';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const BERLIN: LoginPlace = { country: 'DE', city: 'Berlin', lat: 52.52, lon: 13.405 };
const MOSCOW: LoginPlace = { country: 'RU', city: 'Moscow', lat: 55.7558, lon: 37.6173 };
const POTSDAM: LoginPlace = { country: 'DE', city: 'Potsdam', lat: 52.3906, lon: 13.0645 };
const PARIS: LoginPlace = { country: 'FR', city: 'Paris', lat: 48.8566, lon: 2.3522 };

function settings(overrides: Partial<LoginSettings> = {}): LoginSettings {
  return { ...defaultLoginSettings(), ...overrides };
}

/** The history after these logins of one user, in order. */
function historyOf(logins: Array<[place: LoginPlace, timeMs: number]>, user = 'alice'): LoginHistory {
  return logins.reduce<LoginHistory>((history, [place, timeMs]) => recordLogin(history, { user, timeMs, place }), new Map());
}

const fixture = (name: string) => join(__dirname, 'fixtures', `${name}.mmdb`);
const lookup = (ip: string, db = 'GeoIP2-City-Test') => lookupAddress(parseIpAddress(ip), { geo: fixture(db) }, openDatabase);

describe('great-circle distance', () => {
  it.each([
    { title: 'Berlin → Moscow (the issue: about 1,610 km)', from: BERLIN, to: MOSCOW, km: 1608, within: 5 },
    { title: 'the same point', from: BERLIN, to: BERLIN, km: 0, within: 0.001 },
    { title: 'antipodes: half the circumference', from: { lat: 0, lon: 0 }, to: { lat: 0, lon: 180 }, km: 20015.1, within: 0.5 },
    { title: 'across the date line', from: { lat: 0, lon: 179.5 }, to: { lat: 0, lon: -179.5 }, km: 111.2, within: 0.5 },
  ])('$title', ({ from, to, km, within }) => {
    expect(Math.abs(greatCircleKm(from as never, to as never) - km)).toBeLessThanOrEqual(within);
  });
});

describe('learning period: logins and days, both', () => {
  const learning = { logins: 5, days: 7 };
  it.each([
    { title: '4 logins over 10 days: still learning', logins: 4, spanDays: 10, history: 'learning', newCountry: false },
    { title: '5 logins within 6 days: still learning', logins: 5, spanDays: 6, history: 'learning', newCountry: false },
    { title: '5 logins, first 7 days ago: established', logins: 5, spanDays: 7, history: 'established', newCountry: true },
    { title: '50 logins over a year: established', logins: 50, spanDays: 365, history: 'established', newCountry: true },
  ])('$title', ({ logins, spanDays, history, newCountry }) => {
    const previous = historyOf(Array.from({ length: logins }, (_, i) => [BERLIN, T0 + (i * spanDays * DAY) / Math.max(1, logins - 1) / 2] as [LoginPlace, number]));
    const now = T0 + spanDays * DAY;
    const findings = findLoginFindings(previous.get('alice'), { user: 'alice', timeMs: now, place: { country: 'RU' } }, settings({ learning }));
    expect(findings.history).toBe(history);
    expect(findings.newCountry !== undefined).toBe(newCountry);
  });

  it('a login that reaches the history after a later one (concurrent alerts) is judged on the span the history covers', () => {
    const previous = historyOf([[BERLIN, T0], [BERLIN, T0 + 3 * DAY], [BERLIN, T0 + 8 * DAY], [BERLIN, T0 + 8 * DAY + 1], [BERLIN, T0 + 8 * DAY + 2]]);
    const findings = findLoginFindings(previous.get('alice'), { user: 'alice', timeMs: T0 - 1, place: { country: 'RU' } }, settings({ learning: { logins: 5, days: 7 } }));
    expect(findings.history).toBe('established');
  });

  it('a first login has no history: learning, no finding at all', () => {
    expect(findLoginFindings(undefined, { user: 'alice', timeMs: T0, place: MOSCOW }, settings())).toEqual({ history: 'learning' });
  });
});

describe('new country', () => {
  const established = historyOf([...Array.from({ length: 41 }, (_, i) => [BERLIN, T0 + i * DAY] as [LoginPlace, number]), [PARIS, T0 + 41 * DAY], [PARIS, T0 + 42 * DAY]]);
  const at = (place: LoginPlace, user = 'alice'): Login => ({ user, timeMs: T0 + 100 * DAY, place });

  it.each([
    { title: 'a country in the history is no finding', place: BERLIN, allowed: {}, found: false },
    { title: 'a country not in it is', place: { country: 'RU' }, allowed: {}, found: true },
    { title: 'unless allowed for this user', place: { country: 'RU' }, allowed: { alice: ['RU'] }, found: false },
    { title: 'or for every user ("*")', place: { country: 'RU' }, allowed: { '*': ['RU'] }, found: false },
    { title: "another user's allowance is not alice's", place: { country: 'RU' }, allowed: { bob: ['RU'] }, found: true },
  ])('$title', ({ place, allowed, found }) => {
    const findings = findLoginFindings(established.get('alice'), at(place), settings({ allowed_countries: allowed as Record<string, string[]> }));
    expect(findings.newCountry !== undefined).toBe(found);
  });

  it('says it in words, most logins first', () => {
    const findings = findLoginFindings(established.get('alice'), at({ country: 'RU' }), settings());
    expect(describeFindings('alice', findings)).toEqual(['alice: first login from RU; seen before DE (41 logins), FR (2)']);
  });
});

describe('impossible travel: distance over time, beyond the accuracy radius and the minimum distance', () => {
  const travel = { max_speed_kmh: 1000, min_distance_km: 500 };
  it.each([
    { title: 'Berlin → Moscow in 12 min: found', from: BERLIN, to: MOSCOW, minutes: 12, found: true },
    { title: 'Berlin → Moscow in 3 h (536 km/h): possible', from: BERLIN, to: MOSCOW, minutes: 180, found: false },
    { title: 'Berlin → Potsdam in 1 min: city-level noise, under min_distance_km', from: BERLIN, to: POTSDAM, minutes: 1, found: false },
    { title: 'Berlin → Moscow in the same second: found (time floored at a minute)', from: BERLIN, to: MOSCOW, minutes: 0, found: true },
    { title: 'accuracy radii of 600 km each leave 408 km: no finding', from: { ...BERLIN, radius_km: 600 }, to: { ...MOSCOW, radius_km: 600 }, minutes: 1, found: false },
    { title: 'accuracy radii of 20 and 50 km leave 1,538 km: found', from: { ...BERLIN, radius_km: 20 }, to: { ...MOSCOW, radius_km: 50 }, minutes: 12, found: true },
    { title: 'alerts out of order (the later login judged first): found all the same', from: BERLIN, to: MOSCOW, minutes: -12, found: true },
  ])('$title', ({ from, to, minutes, found }) => {
    const previous = historyOf([[from, T0]]).get('alice');
    const findings = findLoginFindings(previous, { user: 'alice', timeMs: T0 + minutes * 60_000, place: to }, settings({ travel }));
    expect(findings.travel !== undefined).toBe(found);
  });

  it('says it in words: places, distance, time, speed', () => {
    const previous = historyOf([[BERLIN, T0]]).get('alice');
    const findings = findLoginFindings(previous, { user: 'alice', timeMs: T0 + 12 * 60_000, place: MOSCOW }, settings());
    expect(describeFindings('alice', findings)).toEqual(['alice: Berlin (DE) → Moscow (RU), 1,609 km in 12 min = 8,044 km/h']);
  });

  it('never guesses from a country database: no coordinates, different countries: says it was not checked', () => {
    const previous = historyOf([[{ country: 'DE' }, T0]]).get('alice');
    const findings = findLoginFindings(previous, { user: 'alice', timeMs: T0 + 60_000, place: { country: 'RU' } }, settings());
    expect(findings.travel).toBeUndefined();
    expect(findings.travelNotChecked).toMatch(/not checked: no coordinates/);
  });

  it('no coordinates within one country: nothing to say', () => {
    const previous = historyOf([[{ country: 'DE' }, T0]]).get('alice');
    expect(findLoginFindings(previous, { user: 'alice', timeMs: T0 + 60_000, place: BERLIN }, settings()).travelNotChecked).toBeUndefined();
  });
});

describe('the history: recorded, aged, bounded', () => {
  it('counts logins per country with first and last seen, and keeps the latest login last when alerts come out of order', () => {
    const history = historyOf([[BERLIN, T0 + 2 * DAY], [BERLIN, T0], [MOSCOW, T0 + DAY]]);
    expect(history.get('alice')).toEqual({
      user: 'alice',
      first: T0,
      logins: 3,
      countries: [{ country: 'DE', first: T0, last: T0 + 2 * DAY, count: 2 }, { country: 'RU', first: T0 + DAY, last: T0 + DAY, count: 1 }],
      last: { time: T0 + 2 * DAY, ...BERLIN },
    });
  });

  it('forgets countries and users not seen for forget_days', () => {
    let history = historyOf([[MOSCOW, T0], [BERLIN, T0 + 300 * DAY]]);
    history = recordLogin(history, { user: 'bob', timeMs: T0, place: PARIS });
    const aged = ageHistory(history, T0 + 400 * DAY, { max_users: 10, max_countries_per_user: 10, forget_days: 365 });
    expect([...aged.keys()]).toEqual(['alice']);
    expect(aged.get('alice')?.countries.map((seen) => seen.country)).toEqual(['DE']);
  });

  it('keeps the most recently active users and each user’s most recently seen countries within the limits', () => {
    let history: LoginHistory = new Map();
    for (let i = 0; i < 5; i += 1) history = recordLogin(history, { user: `user${i}`, timeMs: T0 + i * DAY, place: BERLIN });
    for (const [i, place] of [MOSCOW, PARIS, BERLIN].entries()) history = recordLogin(history, { user: 'user0', timeMs: T0 + (10 + i) * DAY, place });
    const aged = ageHistory(history, T0 + 20 * DAY, { max_users: 3, max_countries_per_user: 2, forget_days: 365 });
    expect([...aged.keys()]).toEqual(['user0', 'user4', 'user3']);
    expect(aged.get('user0')?.countries.map((seen) => seen.country)).toEqual(['DE', 'FR']);
  });

  it('reads back what it writes; a user called __proto__ is just a user', () => {
    const history = recordLogin(historyOf([[BERLIN, T0]]), { user: '__proto__', timeMs: T0, place: PARIS });
    const back = parseLoginHistory(formatLoginHistory(history));
    expect(back).toEqual(history);
    expect(back.get('__proto__')?.countries[0]?.country).toBe('FR');
  });

  it.each([
    { title: 'another version', text: '{"version":2,"users":[]}' },
    { title: 'not JSON', text: '{"version":1,' },
    { title: 'users not a list', text: '{"version":1,"users":{}}' },
  ])('refuses text that is not a history: $title', ({ text }) => {
    expect(() => parseLoginHistory(text)).toThrow();
  });

  it('leaves out entries of the wrong shape and keeps the rest', () => {
    const good = formatLoginHistory(historyOf([[BERLIN, T0]]));
    const damaged = good.replace('[\n', '[\n{"user":"mallory","first":"yesterday"},\n{"user":"eve","first":1,"logins":1,"countries":[],"last":{"time":1,"country":"DE","lat":"north"}},\n');
    expect([...parseLoginHistory(damaged).keys()]).toEqual(['alice']);
  });
});

describe('telling a login from an attack by the alert', () => {
  const stock = defaultLoginSettings().success_rules;
  it.each([
    { title: 'Wazuh: authentication_success', groups: ['syslog', 'sshd', 'authentication_success'], ruleId: '5715', rules: stock, login: true },
    { title: 'Wazuh: authentication_failed', groups: ['syslog', 'sshd', 'authentication_failed'], ruleId: '5716', rules: stock, login: false },
    { title: 'Wazuh 99904: success and failure groups both: an attack', groups: ['authentication_failed', 'authentication_success'], ruleId: '99904', rules: stock, login: false },
    { title: 'Wazuh: groups decide, not the id (5715 recast as a failure)', groups: ['authentication_failures'], ruleId: '5715', rules: stock, login: false },
    { title: 'OSSEC argv: stock sshd success 5715', groups: undefined, ruleId: '5715', rules: stock, login: true },
    { title: 'OSSEC argv: dovecot 9701', groups: undefined, ruleId: '9701', rules: stock, login: true },
    { title: 'OSSEC argv: sshd failed password 5716', groups: undefined, ruleId: '5716', rules: stock, login: false },
    { title: 'OSSEC argv: a local rule the admin listed', groups: undefined, ruleId: '100200', rules: ['100200'], login: true },
    { title: 'OSSEC argv: 5715 when the admin emptied the list', groups: undefined, ruleId: '5715', rules: [], login: false },
    { title: 'no rule at all', groups: undefined, ruleId: undefined, rules: stock, login: false },
  ])('$title', ({ groups, ruleId, rules, login }) => {
    expect(isSuccessfulLogin({ ...(groups ? { ruleGroups: groups } : {}), ...(ruleId ? { rule: { id: ruleId } } : {}) }, rules)).toBe(login);
  });
});

describe('the rule groups come from the alert itself', () => {
  const wazuh4 = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'messages', 'wazuh4-add.json'), 'utf8'));
  const wcs = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'messages', 'wcs-enable.json'), 'utf8'));
  it.each([
    { title: 'Wazuh 4: parameters.alert.rule.groups', line: JSON.stringify(wazuh4), groups: ['syslog', 'sshd', 'authentication_failures'] },
    { title: 'Wazuh 5: rule.groups, where the message has it', line: JSON.stringify({ ...wcs, rule: { id: '5715', groups: ['sshd', 'authentication_success'] } }), groups: ['sshd', 'authentication_success'] },
    { title: 'Wazuh 5 without rule groups: none (the rule id list decides)', line: JSON.stringify(wcs), groups: undefined },
    { title: 'Wazuh 4: groups that are not strings are dropped', line: JSON.stringify({ ...wazuh4, parameters: { ...wazuh4.parameters, alert: { ...wazuh4.parameters.alert, rule: { id: '5715', groups: [7, 'authentication_success', null] } } } }), groups: ['authentication_success'] },
  ])('$title', ({ line, groups }) => {
    expect(parseInvocation({ args: [], stdinLine: line }).ruleGroups).toEqual(groups);
  });

  it('OSSEC argv carries no groups', () => {
    expect(parseInvocation({ args: 'add alice 5.9.10.11 1.2 5715 /var/log/auth.log -'.split(' ') }).ruleGroups).toBeUndefined();
  });
});

describe('what a login finding does', () => {
  it.each([
    { title: 'no finding: log', found: [], block: ['new_country'], safety: undefined, action: 'log' },
    { title: 'a finding, by default: log (alert only)', found: ['new_country'], block: [], safety: undefined, action: 'log' },
    { title: 'a finding logins.block names: block', found: ['impossible_travel'], block: ['impossible_travel'], safety: undefined, action: 'block' },
    { title: 'a finding logins.block does not name: log', found: ['new_country'], block: ['impossible_travel'], safety: undefined, action: 'log' },
    { title: 'never_block wins over logins.block', found: ['new_country'], block: ['new_country'], safety: { action: 'allow', reason: '5.9.0.0/16 is in never_block' }, action: 'allow' },
  ] as const)('$title', ({ found, block, safety, action }) => {
    const decision = decideLoginAction(found, block, safety);
    expect(decision.action).toBe(action);
    if (safety) expect(decision.reason).toContain(safety.reason);
  });
});

describe('analyseLogin with real databases and a real state file', () => {
  const fresh = () => join(mkdtempSync(join(tmpdir(), 'gr-logins-')), 'state', 'logins.json');
  const run = (historyPath: string, ip: string, at: number, overrides: Partial<LoginSettings> = {}, user: string | undefined = 'alice', db?: string) =>
    analyseLogin({ user, now: new Date(at), lookup: lookup(ip, db), settings: settings({ learning: { logins: 2, days: 0 }, ...overrides }), historyPath, lock: { lockDir: join(historyPath, '..', '..', 'lock') } });

  it('IPv6: Munich then Moscow, two minutes apart: new country and impossible travel', async () => {
    const path = fresh();
    await run(path, '2a01:4f8:c17:1::2', T0);
    await run(path, '5.9.10.11', T0 + 60_000);
    const moscow = await run(path, '2a00:1fa0:4:5::6', T0 + 180_000);
    expect(moscow.finding).toBe('new_country,impossible_travel');
    expect(moscow.message).toMatch(/^alice: first login from RU; seen before DE \(2 logins\); alice: Munich \(DE\) → Moscow \(RU\), 1,9\d\d km in 2 min = /);
  });

  it("the database's accuracy radius (1,000 km for a country-level record) keeps it from firing at 1,000 km minimum", async () => {
    const path = fresh();
    await run(path, '5.9.10.11', T0);
    const near = await run(path, '77.88.55.60', T0 + 60_000, { travel: { max_speed_kmh: 1000, min_distance_km: 1000 } });
    expect(near.findings?.travel).toBeUndefined();
    const path2 = fresh();
    await run(path2, '5.9.10.11', T0);
    const far = await run(path2, '95.173.130.7', T0 + 60_000, { travel: { max_speed_kmh: 1000, min_distance_km: 1000 } });
    expect(far.findings?.travel?.distanceKm).toBeGreaterThan(1000);
  });

  it('a country database: travel not checked, and the record says why', async () => {
    const path = fresh();
    await run(path, '5.9.10.11', T0, {}, 'alice', 'GeoIP2-Country-Test');
    const second = await run(path, '95.173.130.7', T0 + 60_000, {}, 'alice', 'GeoIP2-Country-Test');
    expect(second.findings?.travel).toBeUndefined();
    expect(second.message).toMatch(/impossible travel not checked/);
  });

  it.each([
    { title: 'unknown location (not in the database)', ip: '41.0.0.1', user: 'alice', finding: 'not_recorded', words: /country of the address is unknown/ },
    { title: 'a private address', ip: '10.1.2.3', user: 'alice', finding: 'not_recorded', words: /private address/ },
    { title: 'no user name', ip: '5.9.10.11', user: '-', finding: 'not_recorded', words: /without a user name/ },
    { title: 'an ignored service account', ip: '5.9.10.11', user: 'backup', finding: 'ignored', words: /logins.ignore_users/ },
  ])('$title: no history written', async ({ ip, user, finding, words }) => {
    const path = fresh();
    const result = await run(path, ip, T0, { ignore_users: ['backup'] }, user);
    expect(result.finding).toBe(finding);
    expect(result.message).toMatch(words);
    expect(existsSync(path)).toBe(false);
  });

  it('the state file it writes is read back through the trust rule', async () => {
    const path = fresh();
    await run(path, '5.9.10.11', T0);
    expect(readLoginHistory(path).get('alice')?.logins).toBe(1);
  });
});

describe('a user name from the alert is bounded and cannot forge lines', () => {
  it.each([
    { title: 'a newline', user: 'alice\nroot: first login from US', shown: 'alice?root: first login from US' },
    { title: 'a bidi override', user: 'ali\u202Eec', shown: 'ali?ec' },
    { title: 'a very long name', user: 'a'.repeat(500), shown: `${'a'.repeat(64)}…` },
  ])('$title', ({ user, shown }) => {
    expect(showUserName(user)).toBe(shown);
  });
});
