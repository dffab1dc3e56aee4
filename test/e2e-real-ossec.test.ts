import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOssec } from './support/execd.js';
import { listBlocked } from './support/firewall-state.js';
import { waitFor } from './support/netns.js';
import { buildRealOssec, whyNoRealOssec, type RealOssec } from './support/real-ossec.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';

// The whole chain on the real OSSEC daemons: sshd failure lines in a monitored file →
// logcollector → analysisd → execd → geo-response (installed by install.sh --apply as the README
// says) → the geo record and the block in nftables (inside the daemons' own namespace) → the geo
// log read back by logcollector → the geo alert in alerts.log → maild → an SMTP sink on 127.0.0.1.
const skip = whyNoRealOssec(['nft']);
/** Short, so each attacker's delete comes while the test runs: execd checks its timeout list whenever the next alert wakes it. */
const AR_TIMEOUT_S = 3;
const DEADLINE_MS = 60000;

interface Attacker {
  ip: string;
  family: 4 | 6;
  /** The location as the message writes it (GeoIP2-City-Test and GeoLite2-ASN-Test fixtures). */
  where: string;
  blocked: boolean;
}
const ATTACKERS: Attacker[] = [
  { ip: '95.173.130.7', family: 4, where: 'RU,Moscow,Moscow AS12389 PJSC Rostelecom', blocked: true },
  { ip: '2a00:1fa0:4:5::6', family: 6, where: 'RU,Moscow,Moscow AS12389 PJSC Rostelecom', blocked: true },
  { ip: '1.0.9.9', family: 4, where: 'CN,Beijing,Beijing AS4134 Chinanet', blocked: true },
  { ip: '5.9.10.11', family: 4, where: 'DE,Bavaria,Munich AS24940 Hetzner Online GmbH', blocked: false },
  { ip: '240e:3b0::1', family: 6, where: 'CN,Beijing,Beijing AS4134 Chinanet', blocked: true },
];
const RULES = { record: '109700', blocked: '109701', failed: '109702', logged: '109703', unblocked: '109704', ended: '109705', skipped: '109706' } as const;

function sshdFailures(ip: string, count: number): string[] {
  const now = new Date();
  const stamp = `${now.toUTCString().slice(8, 11)} ${String(now.getUTCDate()).padStart(2, ' ')} ${now.toISOString().slice(11, 19)}`;
  return Array.from({ length: count }, (_, i) => `${stamp} web1 sshd[${4000 + i}]: Failed password for invalid user admin${i} from ${ip} port ${40000 + i} ssh2`);
}

interface Alert {
  rule: string;
  level: number;
  srcIp?: string;
  text: string;
}
/** alerts.log's entries ("** Alert …" blocks): the rule, its level, the Src IP line, the whole text. */
function parseAlerts(log: string): Alert[] {
  return log
    .split(/^\*\* Alert /m)
    .slice(1)
    .map((text) => {
      const rule = /^Rule: (\d+) \(level (\d+)\)/m.exec(text);
      return { rule: rule?.[1] ?? '', level: Number(rule?.[2]), srcIp: /^Src IP: (\S+)/m.exec(text)?.[1], text };
    });
}

describe.skipIf(skip !== undefined)(`geo-response on the real OSSEC daemons${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let ossec: RealOssec;
  let sink: SmtpSink;
  const geoLines = () => ossec.read('logs/geo-response.log').split('\n').filter((line) => line !== '');
  const records = () => geoLines().map((line) => JSON.parse(line) as Record<string, any>);
  const alerts = () => parseAlerts(ossec.read('logs/alerts/alerts.log'));
  const geoAlerts = () => alerts().filter((alert) => alert.rule.startsWith('1097'));
  const exe = () => join(ossec.prefix, 'active-response', 'bin', 'geo-response');

  beforeAll(async () => {
    ossec = await buildRealOssec({ tag: 'e2e' });
    ossec.configure({ email: { smtpServer: '127.0.0.1', to: 'admin@example.test', from: 'ossec@example.test' } });
    const installed = ossec.installGeoResponse(['--apply']);
    expect(installed.status, installed.stderr).toBe(0);
    ossec.writeConf(ossec.readConf().replace(/(<!-- BEGIN geo-response[\s\S]*?)<timeout>600<\/timeout>/, `$1<timeout>${AR_TIMEOUT_S}</timeout>`));
    ossec.writePolicy({
      log: { record_skipped: true },
      policy: { mode: 'deny', countries: ['RU', 'CN'] },
      firewall: { backend: 'nftables', expire_seconds: 3600 },
    });
    sink = await startSmtpSink(ossec.netns);
    await ossec.start();
  }, 900000);

  afterAll(async () => {
    await sink?.stop();
    await ossec?.cleanup();
  }, 120000);

  it('install.sh --apply registered the decoder, the rules and the geo log, and analysisd accepts them', () => {
    expect(ossec.read('etc/local_decoder.xml')).toContain('<decoder name="geo-response">');
    expect(ossec.read('rules/local_rules.xml')).toContain('<rule id="109701" level="8">');
    expect(ossec.readConf()).toContain(`<location>${ossec.prefix}/logs/geo-response.log</location>`);
    expect(ossec.read('logs/ossec.log')).toContain(`Analyzing file: '${ossec.prefix}/logs/geo-response.log'`);
  });

  it('execd runs geo-response for each attacker: the record, the block in nft, the delete after the timeout and the block gone', async () => {
    for (const attacker of ATTACKERS) {
      ossec.writeInput(sshdFailures(attacker.ip, 8));
      const added = await waitFor(() => records().some((r) => r.source?.ip === attacker.ip && r.event.action === 'add'), DEADLINE_MS);
      expect(added, `no add record for ${attacker.ip}:\n${ossec.read('logs/ossec.log').slice(-3000)}`).toBe(true);
      const record = records().find((r) => r.source?.ip === attacker.ip && r.event.action === 'add')!;
      expect(record.message).toMatch(new RegExp(`^geo-response: ${attacker.blocked ? 'blocked' : 'logged'} ${attacker.ip} ${attacker.where} \\(`));
      const blocked = listBlocked(ossec.netns, 'nftables', attacker.family);
      if (attacker.blocked) expect(blocked, JSON.stringify(record)).toContain(attacker.ip);
      else expect(blocked).not.toContain(attacker.ip);
      await new Promise((resolve) => setTimeout(resolve, (AR_TIMEOUT_S + 1.5) * 1000));
    }
    // Every attacker but the last has had its delete (the next one's alert woke execd after the timeout).
    for (const attacker of ATTACKERS.slice(0, -1)) {
      const deleted = await waitFor(() => records().some((r) => r.source?.ip === attacker.ip && r.event.action === 'delete'), DEADLINE_MS);
      expect(deleted, `no delete for ${attacker.ip}`).toBe(true);
      expect(listBlocked(ossec.netns, 'nftables', attacker.family)).not.toContain(attacker.ip);
    }
    const first = records().find((r) => r.source?.ip === ATTACKERS[0]!.ip && r.event.action === 'add')!;
    expect(first.source.geo).toMatchObject({ country_iso_code: 'RU', region_name: 'Moscow', city_name: 'Moscow' });
    expect(first.geo_response.firewall).toMatchObject({ backend: 'nftables', result: 'blocked' });
    expect(first.message).toBe(`geo-response: blocked 95.173.130.7 ${ATTACKERS[0]!.where} (RU is in deny list) after rule ${first.rule.id} on ${ossec.inputLog}`);
  }, 600000);

  it('a failure and a skip (run as execd runs it) are records too', async () => {
    const env = { PATH: '/usr/bin:/bin' };
    const failed = await runOssec(`add - not-an-address 1796306219.90 5710 ${ossec.inputLog} -`, { command: [exe()], env });
    expect(failed.code).not.toBe(0);
    const skipped = await runOssec(`add - - 1796306219.91 510 ${ossec.inputLog} -`, { command: [exe()], env });
    expect(skipped.code).toBe(0);
    const kinds = records().map((r) => (r.message as string).split(' ')[1]);
    expect(new Set(kinds)).toEqual(new Set(['blocked', 'logged', 'unblocked', 'ended', 'failed', 'skipped']));
  }, 60000);

  it('every geo record becomes one alert in alerts.log whose line says where, at the level of its kind', async () => {
    const expected = geoLines().length;
    const all = await waitFor(() => geoAlerts().length >= expected, DEADLINE_MS);
    expect(all, `geo alerts ${geoAlerts().length} of ${expected}`).toBe(true);
    expect(geoAlerts()).toHaveLength(expected);
    const blockAlert = geoAlerts().find((alert) => alert.text.includes(`geo-response: blocked 95.173.130.7 ${ATTACKERS[0]!.where}`));
    expect(blockAlert).toMatchObject({ rule: RULES.blocked, level: 8 });
    const logAlert = geoAlerts().find((alert) => alert.text.includes(`geo-response: logged 5.9.10.11 ${ATTACKERS[3]!.where}`));
    expect(logAlert).toMatchObject({ rule: RULES.logged, level: 3 });
    for (const [kind, rule] of Object.entries(RULES).filter(([kind]) => kind !== 'record')) {
      expect(geoAlerts().some((alert) => alert.rule === rule && alert.text.includes(`{"message":"geo-response: ${kind} `)), `an alert of rule ${rule} for ${kind}`).toBe(true);
    }
    // No stock rule takes a geo record (1002 "Unknown problem" on the word failed, 1003 "size too large" on a long record).
    expect(alerts().filter((alert) => alert.text.includes('logs/geo-response.log') && !alert.rule.startsWith('1097')).map((alert) => alert.rule)).toEqual([]);
    // The stock sshd alerts still fire as before.
    expect(alerts().some((alert) => alert.rule === '5712' && alert.srcIp === ATTACKERS[0]!.ip)).toBe(true);
  }, 120000);

  it('no loop: no geo alert carries a source IP, and none ever started geo-response', async () => {
    expect(geoAlerts().length).toBeGreaterThan(0);
    expect(geoAlerts().filter((alert) => alert.srcIp !== undefined)).toEqual([]);
    const triggeredByGeoAlerts = records().filter((r) => String(r.rule?.id ?? '').startsWith('1097'));
    expect(triggeredByGeoAlerts).toEqual([]);
    // One add per attacker: the geo alerts (one per record) did not call the response again.
    for (const attacker of ATTACKERS) expect(records().filter((r) => r.source?.ip === attacker.ip && r.event.action === 'add')).toHaveLength(1);
  });

  it('maild mails the blocks and the failure, each with its location line, to the SMTP sink', async () => {
    const line = `geo-response: blocked 95.173.130.7 ${ATTACKERS[0]!.where}`;
    const mailed = await waitFor(() => sink.messages.some((m) => m.data.includes(line)) && sink.messages.some((m) => m.data.includes('geo-response: failed')), 120000);
    expect(mailed, `${sink.messages.length} messages:\n${sink.messages.map((m) => m.data).join('\n----\n')}`).toBe(true);
    // maild groups the alerts of a few seconds into one mail, whose subject is the first one's.
    const mail = sink.messages.find((m) => m.data.includes(line) && /^Subject: .* - geo-response: attacker blocked$/m.test(m.data)) ?? sink.messages.find((m) => m.data.includes(line))!;
    expect(mail.to).toEqual(['<admin@example.test>']);
    expect(mail.data).toMatch(/^Subject: OSSEC Alert - .+ - Level \d+ - .+$/m);
    expect(mail.data).toContain(`Rule: ${RULES.blocked} fired (level 8) -> "geo-response: attacker blocked"`);
    expect(mail.data).toContain(`Portion of the log(s):\n\n{"message":"${line} `);
    // Log-only records stay below the email level.
    expect(sink.messages.some((m) => m.data.includes('geo-response: logged '))).toBe(false);
    if (process.env.GEO_RESPONSE_SAVE_MAIL) writeFileSync(process.env.GEO_RESPONSE_SAVE_MAIL, mail.data);
  }, 180000);

  it('ossec-logtest decodes every record kind: the kind as action, no srcip, and the rule of its kind', () => {
    const byKind = new Map(geoLines().map((line) => [(JSON.parse(line).message as string).split(' ')[1]!, line]));
    expect([...byKind.keys()].sort()).toEqual(['blocked', 'ended', 'failed', 'logged', 'skipped', 'unblocked']);
    for (const [kind, line] of byKind) {
      const result = ossec.logtest([line]);
      const output = result.stdout + result.stderr;
      expect(output, output).toContain(`decoder: 'geo-response'`);
      expect(output).toContain(`action: '${kind}'`);
      expect(output).not.toMatch(/srcip/i);
      expect(output).toContain(`Rule id: '${RULES[kind as keyof typeof RULES]}'`);
    }
  });
});
