import { describe, expect, it } from 'vitest';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOssec, runWazuh4 } from './support/execd';
import { makeBundleHome } from './support/bundle-home';

// The `command` backend hands the standard OSSEC arguments to another script (firewall-drop.sh):
// with the address as geo-response judged it, so an IPv4-mapped spelling never reaches ip6tables.
const WAZUH4 = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'messages', 'wazuh4-add.json'), 'utf8'));

function homeWithRecordingScript() {
  const home = makeBundleHome();
  const script = join(home.home, 'active-response', 'bin', 'record-args.sh');
  const record = join(home.home, 'args.txt');
  writeFileSync(script, `#!/bin/sh\nprintf '%s ' "$@" >> '${record}'\nprintf '\\n' >> '${record}'\n`);
  chmodSync(script, 0o755);
  home.writeConfig({ policy: { mode: 'deny', countries: ['RU'] }, firewall: { backend: 'command', command: [script] } });
  return { home, lines: () => readFileSync(record, 'utf8').split('\n').filter((line) => line !== '') };
}

describe('command backend through the bundle', () => {
  it('OSSEC add then delete with an IPv4-mapped address: the script gets the IPv4 address, the rest as execd sent it', async () => {
    const { home, lines } = homeWithRecordingScript();
    for (const action of ['add', 'delete']) {
      const result = await runOssec(`${action} admin ::ffff:95.173.130.7 1795823765.1 5712 (web1) 10.0.0.5->/var/log/secure -`, { command: home.command, env: home.env });
      expect([result.code, result.stderr]).toEqual([0, '']);
    }
    expect(lines()).toEqual([
      'add admin 95.173.130.7 1795823765.1 5712 (web1) 10.0.0.5->/var/log/secure - ',
      'delete admin 95.173.130.7 1795823765.1 5712 (web1) 10.0.0.5->/var/log/secure - ',
    ]);
    expect(home.readRecords().map((r) => r.geo_response.firewall.result)).toEqual(['blocked', 'unblocked']);
  });

  it('Wazuh 4 add: the OSSEC arguments are built from the alert', async () => {
    const { home, lines } = homeWithRecordingScript();
    const message = { ...WAZUH4, parameters: { ...WAZUH4.parameters, alert: { ...WAZUH4.parameters.alert, data: { srcip: '::ffff:95.173.130.7', dstuser: 'root' } } } };
    const result = await runWazuh4(message, 'continue', { command: home.command, env: home.env });
    expect([result.code, result.stderr]).toEqual([0, '']);
    expect(lines()).toEqual(['add root 95.173.130.7 1755684902.123456 5763 /var/log/auth.log - ']);
  });
});
