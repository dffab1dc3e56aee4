import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundleHome, type BundleHome } from './support/bundle-home';
import { spawnSync } from 'node:child_process';
import { runOssec, runWazuh4 } from './support/execd';

// The logins path through the real bundled executable, called as execd calls it: OSSEC argv with
// the stock success rule id, Wazuh 4 JSON with the alert's rule groups. Real fixture databases
// (test/fixtures/README.md): 5.9.10.11 Munich DE, 95.173.130.7 Moscow RU, 38.1.2.3 Washington US.
const CITY_DB = join(__dirname, 'fixtures', 'GeoIP2-City-Test.mmdb');
const WAZUH4_ADD = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'messages', 'wazuh4-add.json'), 'utf8')) as Record<string, any>;
const MUNICH = '5.9.10.11';
const MOSCOW = '95.173.130.7';

const homes: BundleHome[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home.home, { recursive: true, force: true });
});

function homeWith(config: Record<string, unknown>): BundleHome {
  const home = makeBundleHome('gr-logins-');
  homes.push(home);
  home.writeConfig({ databases: { geo: CITY_DB }, ...config, logins: { learning: { logins: 3, days: 0 }, ...(config.logins as object) } });
  return home;
}

const sshdLogin = (home: BundleHome, user: string, ip: string, rule = '5715') => runOssec(`add ${user} ${ip} 1796000000.${Math.floor(Math.random() * 1e6)} ${rule} /var/log/auth.log -`, { command: home.command, env: home.env });
const historyPath = (home: BundleHome) => join(home.home, 'active-response', 'state', 'logins.json');
const readHistory = (home: BundleHome) => JSON.parse(readFileSync(historyPath(home), 'utf8')) as { version: number; users: Array<Record<string, any>> };

function wazuhAlert(ip: string, user: string, groups: string[], ruleId: string): Record<string, any> {
  const message = structuredClone(WAZUH4_ADD);
  message.parameters.alert.rule = { ...message.parameters.alert.rule, id: ruleId, level: 3, description: 'sshd: authentication success.', groups };
  message.parameters.alert.data = { srcip: ip, dstuser: user };
  return message;
}

describe('a successful login through the real executable', () => {
  it('OSSEC: three logins from Munich, then Moscow a moment later: new country and impossible travel, said in the record and its message, and only logged although the attack policy denies RU', async () => {
    const home = homeWith({ policy: { mode: 'deny', countries: ['RU'] }, firewall: { backend: 'nftables', dry_run: true } });
    for (let i = 0; i < 3; i += 1) expect((await sshdLogin(home, 'alice', MUNICH)).code).toBe(0);
    const moscow = await sshdLogin(home, 'alice', MOSCOW);
    expect(moscow.code, moscow.stderr).toBe(0);
    expect(moscow.stderr).toBe('');

    const records = home.readRecords();
    expect(records.map((record) => record.geo_response.login.finding)).toEqual(['learning', 'learning', 'learning', 'new_country,impossible_travel']);
    const last = records[3]!;
    expect(last.geo_response.login).toMatchObject({
      user: 'alice',
      history: 'established',
      new_country: { country: 'RU', seen_before: [{ country: 'DE', logins: 3 }] },
      travel: { from_country: 'DE', from_city: 'Munich', to_country: 'RU', to_city: 'Moscow', distance_km: expect.any(Number) },
    });
    expect(last.geo_response.login.travel.distance_km).toBeGreaterThan(1900);
    // ECS: a located login is an authentication event that starts a session, for the user it names.
    expect(last.event).toMatchObject({ category: ['authentication'], type: ['start'], outcome: 'success' });
    expect(last.user).toEqual({ target: { name: 'alice' } });
    expect(last.geo_response.decision).toEqual({ action: 'log', reason: 'successful login; new_country and impossible_travel alerts only (not in logins.block)' });
    expect(last.geo_response.firewall).toBeUndefined();
    expect(last.message).toMatch(/^geo-response: new_country_and_travel 95\.173\.130\.7 RU,Moscow,Moscow \(alice: first login from RU; seen before DE \(3 logins\); alice: Munich \(DE\) → Moscow \(RU\), 1,9\d\d km in 1 min = [\d,]+ km\/h .*\) after rule 5715 on \/var\/log\/auth\.log$/);

    // The same address as an attack (sshd failed password) is blocked by the policy as before.
    const attack = await sshdLogin(home, 'alice', MOSCOW, '5716');
    expect(attack.code).toBe(0);
    const attackRecord = home.readRecords()[4]!;
    expect(attackRecord.geo_response.login).toBeUndefined();
    expect(attackRecord.event).toMatchObject({ category: ['intrusion_detection'], type: ['denied'] });
    expect(attackRecord.geo_response.decision).toEqual({ action: 'block', reason: 'RU is in deny list' });
    expect(attackRecord.geo_response.firewall.result).toBe('planned');

    const history = readHistory(home);
    expect(history.users).toHaveLength(1);
    expect(history.users[0]).toMatchObject({ user: 'alice', logins: 4, countries: [{ country: 'DE', count: 3 }, { country: 'RU', count: 1 }], last: { country: 'RU', city: 'Moscow' } });
  });

  it('Wazuh 4: the rule groups decide, the check_keys handshake is kept, and an alert in a failure group too is an attack', async () => {
    const home = homeWith({ policy: { mode: 'deny', countries: ['RU'] }, firewall: { backend: 'nftables', dry_run: true } });
    const login = await runWazuh4(wazuhAlert(MUNICH, 'bob', ['syslog', 'sshd', 'authentication_success'], '5715'), 'continue', { command: home.command, env: home.env });
    expect(login.code, login.stderr).toBe(0);
    expect(login.checkKeys).toMatchObject({ command: 'check_keys', parameters: { keys: [MUNICH] } });
    // Wazuh 99904: "authentication failed from a malicious IP", in both groups.
    const mixed = await runWazuh4(wazuhAlert(MOSCOW, 'bob', ['authentication_failed', 'authentication_success'], '99904'), 'continue', { command: home.command, env: home.env });
    expect(mixed.code, mixed.stderr).toBe(0);
    const [first, second] = home.readRecords();
    expect(first!.geo_response.login).toMatchObject({ user: 'bob', finding: 'learning' });
    expect(second!.geo_response.login).toBeUndefined();
    expect(second!.geo_response.decision.action).toBe('block');
    expect(readHistory(home).users.map((user) => user.user)).toEqual(['bob']);
  });

  it('logins.block blocks a finding, through the policy’s never-block rules', async () => {
    const home = homeWith({ policy: { never_block: ['95.173.128.0/19'] }, firewall: { backend: 'nftables', dry_run: true }, logins: { block: ['new_country'] } });
    for (let i = 0; i < 3; i += 1) await sshdLogin(home, 'carol', MUNICH);
    await sshdLogin(home, 'carol', MOSCOW);
    await sshdLogin(home, 'carol', '38.1.2.3');
    const [, , , moscow, washington] = home.readRecords();
    expect(moscow!.geo_response.decision).toEqual({ action: 'allow', reason: 'new_country is in logins.block, but 95.173.128.0/19 is in never_block' });
    expect(washington!.geo_response.decision).toEqual({ action: 'block', reason: 'new_country is in logins.block' });
    expect(washington!.geo_response.firewall).toMatchObject({ backend: 'nftables', result: 'planned' });
    expect(washington!.message).toMatch(/^geo-response: new_country_and_travel 38\.1\.2\.3 .*new_country is in logins\.block; firewall planned\)/);
  });

  it('an ignored service account and a login without a user are recorded as such and leave no history', async () => {
    const home = homeWith({ logins: { ignore_users: ['backup'] } });
    await sshdLogin(home, 'backup', MUNICH);
    await sshdLogin(home, '-', MUNICH);
    expect(home.readRecords().map((record) => [record.geo_response.login.finding, record.message.split(' ')[1]])).toEqual([
      ['ignored', 'login'],
      ['not_recorded', 'login'],
    ]);
    expect(existsSync(historyPath(home))).toBe(false);
  });
});

describe('report --logins', () => {
  it('per user, countries and counts, and the findings over time, as JSON and as a table that escapes the user names', async () => {
    const home = homeWith({});
    for (let i = 0; i < 3; i += 1) await sshdLogin(home, 'alice', MUNICH);
    await sshdLogin(home, 'alice', MOSCOW);
    await sshdLogin(home, 'bob', '38.1.2.3');
    // An attack in the same log is not a login.
    await sshdLogin(home, 'alice', MOSCOW, '5716');
    // A user name with a terminal escape in it (it came from an alert).
    await sshdLogin(home, 'eve\u001b[2J', MUNICH);

    const report = (...args: string[]) => spawnSync(home.command[0]!, [...home.command.slice(1), 'report', '--logins', ...args, home.logPath], { encoding: 'utf8', env: home.env });
    const json = report('--format', 'json');
    expect(json.status, json.stderr).toBe(0);
    const summary = JSON.parse(json.stdout);
    expect(summary).toMatchObject({ schema: 1, view: 'logins', logins: 6, other_users_logins: 0 });
    expect(summary.users[0]).toMatchObject({ user: 'alice', logins: 4, countries: [{ country: 'DE', logins: 3 }, { country: 'RU', logins: 1 }], findings: { new_country: 1, impossible_travel: 1 } });
    expect(summary.users[0].recent_findings).toEqual([{ time: expect.any(String), finding: 'new_country,impossible_travel', message: expect.stringMatching(/^alice: first login from RU; seen before DE \(3 logins\); alice: Munich \(DE\) → Moscow \(RU\)/) }]);
    expect(summary.users.map((user: { user: string }) => user.user)).toEqual(['alice', 'bob', 'eve\u001b[2J']);
    expect(summary.findings_by_day).toEqual([{ day: expect.stringMatching(/^\d{4}-\d\d-\d\d$/), new_country: 1, impossible_travel: 1 }]);

    const table = report('--format', 'table');
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^ {2}Logins {6}6 successful logins of 3 users$/m);
    expect(table.stdout).toMatch(/^ {2}alice +4 +1 +1 {2}DE 3, RU 1$/m);
    expect(table.stdout).toMatch(/^ {2}eve\?\[2J +1 +0 +0 {2}DE 1$/m);
    expect(table.stdout).not.toContain('\u001b');
    expect(table.stdout).toMatch(/^ {4}\d{4}-\d\d-\d\d \d\d:\d\d {2}alice: first login from RU/m);

    const csv = report('--format', 'csv');
    expect(csv.status).toBe(2);
    expect(csv.stderr).toMatch(/--logins gives --format table or json, not csv/);
  });
});

describe('the login history file is trusted only as root’s own', () => {
  it.each([
    { title: 'a history file its group can write', prepare: (path: string) => chmodSync(path, 0o664), problem: /writable by its group/ },
    { title: 'a history directory others can write', prepare: (path: string) => chmodSync(join(path, '..'), 0o777), problem: /state is writable by group and others \(mode 0777\); not trusted/ },
  ])('$title: the login fails with one line on stderr, a failure record, and the file as it was', async ({ prepare, problem }) => {
    const home = homeWith({});
    await sshdLogin(home, 'dave', MUNICH);
    prepare(historyPath(home));
    const before = readFileSync(historyPath(home), 'utf8');
    const result = await sshdLogin(home, 'dave', MOSCOW);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(problem);
    const record = home.readRecords()[1]!;
    expect(record.event.outcome).toBe('failure');
    expect(record.geo_response.error_code).toBe('UNTRUSTED_PATH');
    expect(readFileSync(historyPath(home), 'utf8')).toBe(before);
  });

  it('a history file that is not a history is refused, not replaced', async () => {
    const home = homeWith({});
    mkdirSync(join(historyPath(home), '..'), { recursive: true, mode: 0o700 });
    writeFileSync(historyPath(home), 'not json', { mode: 0o600 });
    const result = await sshdLogin(home, 'erin', MUNICH);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/login history: \S+logins\.json is not a login history .*move it aside/);
    expect(readFileSync(historyPath(home), 'utf8')).toBe('not json');
  });
});

describe('concurrency', () => {
  it('100 successful logins of 10 users at once leave a consistent history: every login counted once, in one whole file', async () => {
    const home = homeWith({});
    const users = Array.from({ length: 10 }, (_, i) => `user${i}`);
    // Each user: 5 logins from Munich and 5 from Washington, all started together.
    const runs = users.flatMap((user) => Array.from({ length: 10 }, (_, i) => sshdLogin(home, user, i % 2 === 0 ? MUNICH : '38.1.2.3')));
    const results = await Promise.all(runs);
    expect(results.filter((result) => result.code !== 0).map((result) => result.stderr)).toEqual([]);

    const history = readHistory(home);
    expect(history.users.map((user) => user.user).sort()).toEqual(users);
    for (const user of history.users) {
      expect(user.logins, user.user).toBe(10);
      expect(Object.fromEntries(user.countries.map((seen: { country: string; count: number }) => [seen.country, seen.count]))).toEqual({ DE: 5, US: 5 });
    }
    expect(home.readRecords()).toHaveLength(100);
    // Every login saw the ones before it: per user, the findings' history states are 3 learning then established.
    for (const user of users) {
      const states = home.readRecords().filter((record) => record.geo_response.login.user === user).map((record) => record.geo_response.login.history);
      expect(states.filter((state) => state === 'learning')).toHaveLength(3);
    }
    expect(readdirSync(join(historyPath(home), '..'))).toEqual(['logins.json']);
  }, 120000);
});
