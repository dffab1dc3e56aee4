import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from './support/netns.js';
import { buildRealOssec, REPO_ROOT, whyNoRealOssec, type RealOssec } from './support/real-ossec.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';

// Successful logins on the real OSSEC daemons: sshd "Accepted password" lines in a monitored file →
// logcollector → analysisd (stock rule 5715, group authentication_success) → the logins response
// install.sh --apply inserted (command geo-response-login, expecting srcip and user) → execd →
// geo-response → the user's history and the findings in the geo record → the geo log read back
// (issue 14's decoder and rules) → the finding's alert in alerts.log → maild → an SMTP sink.
// Real fixture databases:
// 5.9.10.11 Munich DE, 95.173.130.7 Moscow RU, 200.160.2.3 São Paulo BR.
const skip = whyNoRealOssec([]);
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');
const DEADLINE_MS = 60000;

function sshdAccepted(user: string, ip: string, pid: number): string {
  const now = new Date();
  const stamp = `${now.toUTCString().slice(8, 11)} ${String(now.getUTCDate()).padStart(2, ' ')} ${now.toISOString().slice(11, 19)}`;
  return `${stamp} web1 sshd[${pid}]: Accepted password for ${user} from ${ip} port ${50000 + pid} ssh2`;
}

describe.skipIf(skip !== undefined)(`logins on the real OSSEC daemons${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let ossec: RealOssec;
  let sink: SmtpSink;
  let pid = 7000;
  const mailWith = (text: string) => sink.messages.find((mail) => mail.data.includes(text));
  const records = () =>
    ossec
      .read('logs/geo-response.log')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, any>);
  const loginsOf = (user: string) => records().filter((record) => record.geo_response.login?.user === user);
  // One line at a time, each awaited: logcollector reads the file as it grows, and the order of the
  // logins is what the findings are about.
  const login = async (user: string, ip: string) => {
    const before = loginsOf(user).length;
    ossec.writeInput([sshdAccepted(user, ip, (pid += 1))]);
    const seen = await waitFor(() => loginsOf(user).length > before, DEADLINE_MS);
    expect(seen, `no login record for ${user} from ${ip}:\n${ossec.read('logs/ossec.log').slice(-3000)}`).toBe(true);
    return loginsOf(user).at(-1)!;
  };

  beforeAll(async () => {
    ossec = await buildRealOssec({ tag: 'logins' });
    ossec.configure({ email: { smtpServer: '127.0.0.1', to: 'admin@example.test', from: 'ossec@example.test' } });
    const installed = ossec.installGeoResponse();
    expect(installed.status, installed.stderr).toBe(0);
    copyFileSync(join(FIXTURES, 'GeoIP2-City-Test.mmdb'), join(ossec.prefix, 'etc', 'GeoIP2-City-Test.mmdb'));
    writeFileSync(
      join(ossec.prefix, 'etc', 'geo-response.json'),
      JSON.stringify({ databases: { geo: join(ossec.prefix, 'etc', 'GeoIP2-City-Test.mmdb') }, logins: { learning: { logins: 3, days: 0 } } }),
    );
    sink = await startSmtpSink(ossec.netns);
    await ossec.start();
  }, 600000);

  afterAll(async () => {
    await sink?.stop();
    await ossec?.cleanup();
  }, 120000);

  it('alice logs in from Germany several times, then from Russia: a new country (and, minutes apart, impossible travel)', async () => {
    for (let i = 0; i < 3; i += 1) expect((await login('alice', '5.9.10.11')).geo_response.login.finding).toBe('learning');
    const moscow = await login('alice', '95.173.130.7');
    expect(moscow.rule).toMatchObject({ id: '5715' });
    expect(moscow.geo_response.protocol).toBe('ossec');
    expect(moscow.geo_response.login).toMatchObject({ user: 'alice', finding: 'new_country,impossible_travel', new_country: { country: 'RU', seen_before: [{ country: 'DE', logins: 3 }] } });
    expect(moscow.geo_response.decision.action).toBe('log');
    expect(moscow.message).toMatch(/^geo-response: new_country_and_travel 95\.173\.130\.7 RU,Moscow,Moscow \(alice: first login from RU; seen before DE \(3 logins\); alice: Munich \(DE\) → Moscow \(RU\), /);
    expect(ossec.read('logs/alerts/alerts.log')).toMatch(/Rule: 5715 \(level 3\)[^]*Accepted password for alice from 95\.173\.130\.7/);

    // The record read back: the finding's own alert, at the emailed level, with the words.
    const finding = /Rule: 109713 \(level 12\) -> 'geo-response: login from a new country, and impossible travel'\n[^]*?geo-response: new_country_and_travel 95\.173\.130\.7 RU,Moscow,Moscow \(alice: first login from RU; seen before DE \(3 logins\)/;
    const alerted = await waitFor(() => finding.test(ossec.read('logs/alerts/alerts.log')), DEADLINE_MS);
    expect(alerted, ossec.read('logs/alerts/alerts.log').slice(-4000)).toBe(true);
    // Plain logins are located at level 3, below the email level.
    expect(ossec.read('logs/alerts/alerts.log')).toMatch(/Rule: 109710 \(level 3\)[^\n]*\n[^]*?geo-response: login 5\.9\.10\.11 DE/);
    const mailed = await waitFor(() => mailWith('alice: first login from RU') !== undefined, 120000);
    expect(mailed, `${sink.messages.length} messages:\n${sink.messages.map((m) => m.data).join('\n----\n')}`).toBe(true);
    expect(mailWith('alice: first login from RU')!.data).toMatch(/^Subject: OSSEC Alert - .* - Level 12 - geo-response: login from a new country, and impossible travel$/m);
    expect(sink.messages.some((mail) => mail.data.includes('geo-response: login 5.9.10.11'))).toBe(false);
  }, 300000);

  it('bob logs in from Munich, then from São Paulo minutes later: impossible travel, while his history is still learning', async () => {
    expect((await login('bob', '5.9.10.11')).geo_response.login.finding).toBe('learning');
    const brazil = await login('bob', '200.160.2.3');
    expect(brazil.geo_response.login).toMatchObject({ finding: 'impossible_travel', history: 'learning', travel: { from_city: 'Munich', to_city: 'São Paulo' } });
    expect(brazil.geo_response.login.travel.distance_km).toBeGreaterThan(9000);
    expect(brazil.message).toMatch(/^geo-response: impossible_travel 200\.160\.2\.3 BR,São Paulo,São Paulo \(bob: Munich \(DE\) → São Paulo \(BR\), [\d,]+ km in \d+ min = [\d,]+ km\/h/);
    const mailed = await waitFor(() => mailWith('bob: Munich (DE)') !== undefined, 120000);
    expect(mailed, `${sink.messages.length} messages:\n${sink.messages.map((m) => m.data).join('\n----\n')}`).toBe(true);
    expect(mailWith('bob: Munich (DE)')!.data).toMatch(/^Subject: OSSEC Alert - .* - Level 10 - geo-response: impossible travel between two logins of a user$/m);
  }, 300000);
});
