import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReportEvent } from '../src/report/parse-record.js';
import { listBlocked } from './support/firewall-state.js';
import { waitFor } from './support/netns.js';
import { buildRealOssec, whyNoRealOssec, type RealOssec } from './support/real-ossec.js';

// A block survives a simulated reboot on the real OSSEC daemons: sshd failures → execd →
// geo-response blocks in nftables; then every daemon dies with kill -9 (execd's list of pending
// deletes dies with it), the firewall is flushed as a reboot would leave it, `blocks restore` runs
// as the boot unit would, and the daemons start again.
const skip = whyNoRealOssec(['nft']);
const DEADLINE_MS = 60_000;
// maild exits at once when e-mail is off (it is, here): the daemons that matter for blocking.
const DAEMONS = ['ossec-execd', 'ossec-analysisd', 'ossec-logcollector'] as const;
const ATTACKERS = [
  { ip: '95.173.130.7', family: 4 as const },
  { ip: '2a00:1fa0:4:5::6', family: 6 as const },
];

/** Eight sshd failures from `ip` in syslog form, enough for OSSEC's brute-force rule. */
function failedLogins(ip: string): string[] {
  const now = new Date();
  const month = now.toUTCString().split(' ')[2];
  const stamp = `${month} ${String(now.getUTCDate()).padStart(2, ' ')} ${now.toISOString().slice(11, 19)}`;
  return Array.from({ length: 8 }, (_, attempt) => `${stamp} web1 sshd[${5100 + attempt}]: Failed password for invalid user guest${attempt} from ${ip} port ${41000 + attempt} ssh2`);
}

describe.skipIf(skip !== undefined)(`blocks across a simulated reboot of the real OSSEC${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let ossec: RealOssec;
  const events = () =>
    ossec
      .read('logs/geo-response.log')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => ({ event: parseReportEvent(line), record: JSON.parse(line) as Record<string, any> }));
  const geoResponse = (...args: string[]) => ossec.inNetns(join(ossec.prefix, 'active-response', 'bin', 'geo-response'), args);

  /** What a power cut does to the daemons: kill -9, no pending delete run, stale pid files left (removed here as ossec-control would). */
  async function killDaemons(): Promise<void> {
    const runDir = join(ossec.prefix, 'var', 'run');
    const pids = readdirSync(runDir).flatMap((name) => {
      const match = /^ossec-[a-z]+-(\d+)\.pid$/.exec(name);
      return match ? [{ name, pid: Number(match[1]) }] : [];
    });
    expect(pids.length).toBeGreaterThan(0);
    for (const { pid } of pids) process.kill(pid, 'SIGKILL');
    const gone = await waitFor(() => pids.every(({ pid }) => spawnSync('/bin/kill', ['-0', String(pid)]).status !== 0), 10_000);
    expect(gone).toBe(true);
    for (const { name } of pids) rmSync(join(runDir, name), { force: true });
  }

  beforeAll(async () => {
    ossec = await buildRealOssec({ tag: 'reboot' });
    ossec.configure();
    const installed = ossec.installGeoResponse();
    expect(installed.status, installed.stderr).toBe(0);
    ossec.writePolicy({
      policy: { mode: 'deny', countries: ['RU'] },
      firewall: { backend: 'nftables', expire_seconds: 3600 },
    });
    await ossec.start([...DAEMONS]);
  }, 900_000);

  afterAll(async () => {
    await ossec?.cleanup();
  }, 120_000);

  it('kill -9, firewall flushed, restore, daemons started: the blocks are back and OSSEC runs on them', async () => {
    for (const attacker of ATTACKERS) {
      ossec.writeInput(failedLogins(attacker.ip));
      const blocked = await waitFor(() => listBlocked(ossec.netns, 'nftables', attacker.family).includes(attacker.ip), DEADLINE_MS);
      expect(blocked, `${attacker.ip} not blocked:\n${ossec.read('logs/ossec.log').slice(-3000)}`).toBe(true);
    }

    await killDaemons();
    ossec.inNetns('/usr/sbin/nft', ['flush', 'ruleset']);
    for (const family of [4, 6] as const) expect(listBlocked(ossec.netns, 'nftables', family)).toEqual([]);

    const restored = geoResponse('blocks', 'restore');
    expect(restored.stderr).toBe('');
    expect(restored.status).toBe(0);
    expect(restored.stdout).toContain(`restored ${ATTACKERS.length} block(s) into nftables`);
    for (const attacker of ATTACKERS) expect(listBlocked(ossec.netns, 'nftables', attacker.family)).toEqual([attacker.ip]);

    await ossec.start([...DAEMONS]);
    // execd forgot the block; the next attack from the address calls geo-response again, which finds it in place.
    const before = events().length;
    ossec.writeInput(failedLogins(ATTACKERS[0]!.ip));
    const again = await waitFor(() => events().slice(before).some(({ event }) => event?.ip === ATTACKERS[0]!.ip && event.action === 'add'), DEADLINE_MS);
    expect(again, ossec.read('logs/ossec.log').slice(-3000)).toBe(true);
    const readd = events().slice(before).find(({ event }) => event?.ip === ATTACKERS[0]!.ip)!;
    expect(readd.record.geo_response.firewall).toMatchObject({ backend: 'nftables', result: 'already-blocked' });

    const listing = geoResponse('blocks', '--json');
    expect(listing.status).toBe(0);
    const view = JSON.parse(listing.stdout) as { blocks: Array<{ ip: string; recorded: boolean; country_iso_code?: string }> };
    expect(view.blocks.map((row) => row.ip).sort()).toEqual(ATTACKERS.map((attacker) => attacker.ip).sort());
    expect(view.blocks.every((row) => row.recorded && row.country_iso_code === 'RU')).toBe(true);
  }, 300_000);
});
