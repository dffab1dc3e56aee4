import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBlocked } from './support/firewall-state.js';
import { waitFor } from './support/netns.js';
import { buildRealOssec, whyNoRealOssec, type RealOssec } from './support/real-ossec.js';

// Issue 18: a real OSSEC server and agent (each built from the public source), talking over
// loopback in one network namespace; geo-response installed on both as docs/agents.md says, the
// manager's response moved to <location>local</location>. Attackers' sshd lines go to a file the
// agent monitors: the server raises the alert, the agent's execd runs geo-response, blocks, and
// lifts the block after the timeout; the server's execd runs nothing.
const skip = whyNoRealOssec(['nft']);
const AGENT_NAME = 'agent1';
/** Short, so the first attacker's delete comes while the test runs (execd checks its list when a message wakes it). */
const AR_TIMEOUT_S = 3;
// The agent asks for the manager's shared files (ar.conf among them) some tens of seconds after it connects.
const AR_CONF_DEADLINE_MS = 180000;
const EVENT_DEADLINE_MS = 90000;
// RU in the fixture databases (test/fixtures/README.md); denied by the agent's policy.
const FIRST = { ip: '95.173.130.7', family: 4 as const };
const SECOND = { ip: '2a00:1fa0:4:5::6', family: 6 as const };

function sshdFailures(ip: string, count: number): string[] {
  const now = new Date();
  const stamp = `${now.toUTCString().slice(8, 11)} ${String(now.getUTCDate()).padStart(2, ' ')} ${now.toISOString().slice(11, 19)}`;
  return Array.from({ length: count }, (_, i) => `${stamp} web1 sshd[${5000 + i}]: Failed password for invalid user guest${i} from ${ip} port ${41000 + i} ssh2`);
}

function recordsOf(ossec: RealOssec): Array<Record<string, any>> {
  return ossec
    .read('logs/geo-response.log')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, any>);
}

function mustSucceed(result: { status: number | null; stdout: string; stderr: string }, what: string): string {
  expect(result.status, `${what}: ${result.stderr}${result.stdout}`).toBe(0);
  return result.stdout;
}

describe.skipIf(skip !== undefined)(`geo-response on a real OSSEC server and agent${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let server: RealOssec;
  let agent: RealOssec;

  beforeAll(async () => {
    server = await buildRealOssec({ tag: 'srv', target: 'server' });
    agent = await buildRealOssec({ tag: 'agt', target: 'agent', netns: server.netns });
    // remoted binds only to an address of its own; loopback alone is refused.
    mustSucceed(server.inNetns('/usr/sbin/ip', ['addr', 'add', '10.255.0.1/32', 'dev', 'lo']), 'address for remoted');

    const added = mustSucceed(server.inNetns(join(server.prefix, 'bin', 'manage_agents'), ['-a', '127.0.0.1', '-n', AGENT_NAME]), 'manage_agents -a');
    const id = /ID:\s*(\d+)/.exec(added)?.[1] ?? '001';
    const exported = mustSucceed(server.inNetns(join(server.prefix, 'bin', 'manage_agents'), ['-e', id]), 'manage_agents -e');
    const key = exported
      .split('\n')
      .map((line) => line.trim())
      .find((line) => /^[A-Za-z0-9+/]{40,}={0,2}$/.test(line));
    expect(key, exported).toBeDefined();
    const imported = agent.inNetns('/bin/sh', ['-c', `echo y | ${join(agent.prefix, 'bin', 'manage_agents')} -i ${key}`]);
    expect(imported.stdout + imported.stderr).toMatch(/Agent information|Added/i);

    // The manager: geo-response's blocks inserted by install.sh, the response moved to the agents.
    server.configure({ monitorInput: false });
    mustSucceed(server.installGeoResponse(), 'install.sh on the server');
    server.writeConf(
      server
        .readConf()
        .replace(/(<!-- BEGIN geo-response[\s\S]*?)<location>server<\/location>/, '$1<location>local</location>')
        .replace(/(<!-- BEGIN geo-response[\s\S]*?)<timeout>600<\/timeout>/, `$1<timeout>${AR_TIMEOUT_S}</timeout>`),
    );
    // The agent: install.sh leaves its ossec.conf alone; the test points it at the server.
    agent.configure({});
    agent.writeConf(agent.readConf().replace(/<server-ip>[^<]*<\/server-ip>/, '<server-ip>127.0.0.1</server-ip>'));
    const agentInstall = mustSucceed(agent.installGeoResponse(), 'install.sh on the agent');
    expect(agentInstall).toMatch(/this is an agent/);
    expect(agentInstall).not.toMatch(/restart/i);
    agent.writePolicy({
      policy: { mode: 'deny', countries: ['RU'] },
      firewall: { backend: 'nftables', expire_seconds: 3600 },
    });

    await server.start(['ossec-execd', 'ossec-analysisd', 'ossec-logcollector', 'ossec-remoted']);
    await agent.start();
    const arConf = await waitFor(() => agent.read('etc/shared/ar.conf').includes('geo-response'), AR_CONF_DEADLINE_MS, 500);
    expect(arConf, `the agent never received ar.conf:\n${agent.read('logs/ossec.log').slice(-3000)}`).toBe(true);
  }, 900000);

  afterAll(async () => {
    await agent?.cleanup();
    await server?.cleanup();
  }, 180000);

  it('install.sh made the agent the logs/active-responses.log it lacks, as a server has it', () => {
    const log = join(agent.prefix, 'logs', 'active-responses.log');
    const owner = mustSucceed(server.inNetns('/usr/bin/stat', ['-c', '%U:%G %a', log]), 'stat');
    expect(owner.trim()).toBe(`${agent.accounts.user}:${agent.accounts.group} 660`);
  });

  it("the agent's execd runs geo-response: its record, its block, the block lifted after the timeout; the server's execd runs nothing", async () => {
    agent.writeInput(sshdFailures(FIRST.ip, 8));
    const added = await waitFor(() => recordsOf(agent).some((r) => r.source?.ip === FIRST.ip && r.event?.action === 'add'), EVENT_DEADLINE_MS, 200);
    expect(added, `no add on the agent:\n${server.read('logs/ossec.log').slice(-2000)}\n${agent.read('logs/ossec.log').slice(-2000)}`).toBe(true);
    expect(listBlocked(agent.netns, 'nftables', 4)).toContain(FIRST.ip);

    const add = recordsOf(agent).find((r) => r.source?.ip === FIRST.ip && r.event?.action === 'add')!;
    expect(add.source.geo).toMatchObject({ country_iso_code: 'RU', city_name: 'Moscow' });
    expect(add.geo_response.decision).toMatchObject({ action: 'block' });
    expect(add.geo_response.firewall).toMatchObject({ backend: 'nftables', result: 'blocked' });
    expect(add.geo_response.protocol).toBe('ossec');
    // The location as the agent's execd passes it: "(agent1) <address>-><file>", one piece again.
    expect(add.geo_response.location).toBe(`(${AGENT_NAME}) 127.0.0.1->${agent.inputLog}`);
    expect(agent.read('logs/geo-response.log')).not.toContain('(null)');

    // The second attacker's alert wakes the agent's execd after the timeout: it then sends the first one's delete.
    await new Promise((resolve) => setTimeout(resolve, (AR_TIMEOUT_S + 1.5) * 1000));
    agent.writeInput(sshdFailures(SECOND.ip, 8));
    const deleted = await waitFor(() => recordsOf(agent).some((r) => r.source?.ip === FIRST.ip && r.event?.action === 'delete'), EVENT_DEADLINE_MS, 200);
    expect(deleted, agent.read('logs/ossec.log').slice(-2000)).toBe(true);
    expect(listBlocked(agent.netns, 'nftables', 4)).not.toContain(FIRST.ip);
    expect(await waitFor(() => listBlocked(agent.netns, 'nftables', 6).includes(SECOND.ip), EVENT_DEADLINE_MS, 200)).toBe(true);

    expect(recordsOf(server)).toEqual([]);
    expect(server.read('logs/active-responses.log')).not.toContain('geo-response');
    // The alerts were the server's: analysisd raised the rule that asked for the response.
    expect(server.read('logs/alerts/alerts.log')).toMatch(new RegExp(`\\(${AGENT_NAME}\\) 127\\.0\\.0\\.1->`));
  }, 300000);
});
