import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBlocked } from './support/firewall-state.js';
import { waitFor } from './support/netns.js';
import { buildRealOssec, REPO_ROOT, whyNoRealOssec, type RealOssec } from './support/real-ossec.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';

// The whole chain on the real OSSEC daemons: sshd failure lines in a monitored file →
// logcollector → analysisd → execd → geo-response (installed by install.sh --apply as the README
// says) → the geo record and the block in nftables (inside the daemons' own namespace) → the geo
// alert in alerts.log → maild → an SMTP sink on 127.0.0.1.
const skip = whyNoRealOssec(['nft']);
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');
/** Short, so the first attacker's delete comes while the test still runs (execd checks its timeout list whenever a message wakes it). */
const AR_TIMEOUT_S = 3;
const DEADLINE_MS = 60000;

interface Attacker {
  ip: string;
  family: 4 | 6;
  country: string;
  blocked: boolean;
}
const ATTACKERS: Attacker[] = [
  { ip: '95.173.130.7', family: 4, country: 'RU', blocked: true },
  { ip: '2a00:1fa0:4:5::6', family: 6, country: 'RU', blocked: true },
  { ip: '1.0.9.9', family: 4, country: 'CN', blocked: true },
  { ip: '5.9.10.11', family: 4, country: 'DE', blocked: false },
];

function sshdFailures(ip: string, count: number): string[] {
  const stamp = new Date().toUTCString().slice(8, 11) + ' ' + String(new Date().getUTCDate()).padStart(2, ' ') + ' ' + new Date().toISOString().slice(11, 19);
  return Array.from({ length: count }, (_, i) => `${stamp} web1 sshd[${4000 + i}]: Failed password for invalid user admin${i} from ${ip} port ${40000 + i} ssh2`);
}

describe.skipIf(skip !== undefined)(`geo-response on the real OSSEC daemons${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let ossec: RealOssec;
  let sink: SmtpSink;
  const records = () =>
    ossec
      .read('logs/geo-response.log')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, any>);

  beforeAll(async () => {
    ossec = await buildRealOssec({ tag: 'e2e' });
    ossec.configure({ email: { smtpServer: '127.0.0.1', to: 'admin@example.test', from: 'ossec@example.test' } });
    const installed = ossec.installGeoResponse();
    expect(installed.status, installed.stderr).toBe(0);
    ossec.writeConf(ossec.readConf().replace(/(<!-- BEGIN geo-response[\s\S]*?)<timeout>600<\/timeout>/, `$1<timeout>${AR_TIMEOUT_S}</timeout>`));
    for (const db of ['GeoIP2-City-Test.mmdb', 'GeoLite2-ASN-Test.mmdb']) copyFileSync(join(FIXTURES, db), join(ossec.prefix, 'etc', db));
    writeFileSync(
      join(ossec.prefix, 'etc', 'geo-response.json'),
      JSON.stringify({
        databases: { geo: join(ossec.prefix, 'etc', 'GeoIP2-City-Test.mmdb'), asn: join(ossec.prefix, 'etc', 'GeoLite2-ASN-Test.mmdb') },
        policy: { mode: 'deny', countries: ['RU', 'CN'] },
        firewall: { backend: 'nftables', expire_seconds: 3600 },
      }),
    );
    sink = await startSmtpSink(ossec.netns);
    await ossec.start();
  }, 600000);

  afterAll(async () => {
    await sink?.stop();
    await ossec?.cleanup();
  }, 120000);

  it('execd runs geo-response for each attacker: the geo record, the block in nft, then the delete after the timeout', async () => {
    for (const attacker of ATTACKERS) {
      ossec.writeInput(sshdFailures(attacker.ip, 8));
      const added = await waitFor(() => records().some((r) => r.source?.ip === attacker.ip && r.event.action === 'add'), DEADLINE_MS);
      expect(added, `no add record for ${attacker.ip}:\n${ossec.read('logs/ossec.log').slice(-3000)}`).toBe(true);
      if (attacker.blocked) expect(listBlocked(ossec.netns, 'nftables', attacker.family)).toContain(attacker.ip);
      else expect(listBlocked(ossec.netns, 'nftables', attacker.family)).not.toContain(attacker.ip);
      // The next attacker's alert wakes execd after the timeout, and execd then sends this one's delete.
      await new Promise((resolve) => setTimeout(resolve, (AR_TIMEOUT_S + 1.5) * 1000));
    }
    const first = ATTACKERS[0]!;
    const deleted = await waitFor(() => records().some((r) => r.source?.ip === first.ip && r.event.action === 'delete'), DEADLINE_MS);
    expect(deleted).toBe(true);
    expect(listBlocked(ossec.netns, 'nftables', 4)).not.toContain(first.ip);
    const add = records().find((r) => r.source?.ip === first.ip && r.event.action === 'add')!;
    expect(add.source.geo).toMatchObject({ country_iso_code: 'RU', city_name: 'Moscow' });
    expect(add.source.as).toMatchObject({ number: 12389 });
    expect(add.geo_response.firewall).toMatchObject({ backend: 'nftables', result: 'blocked' });
  }, 300000);

  it('maild mails the alert to the SMTP sink', async () => {
    const mailed = await waitFor(() => sink.messages.length > 0, 120000);
    expect(mailed, ossec.read('logs/ossec.log').slice(-3000)).toBe(true);
    expect(sink.messages[0]!.data).toContain('OSSEC HIDS Notification');
  }, 180000);
});
