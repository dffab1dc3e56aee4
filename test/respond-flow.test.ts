/**
 * The active-response flow in process, with its edges (firewall, host addresses, log, clock)
 * replaced by recorders and a real database: what an add and a delete ask of the outside world.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GeoResponseError } from '../src/errors.js';
import type { FirewallRequest } from '../src/firewall/firewall-types.js';
import { openMmdb } from '../src/geo/mmdb/lazy-reader.js';
import { respond } from '../src/respond/respond.js';
import type { RespondDeps } from '../src/respond/respond-deps.js';

const COUNTRY_DB = join(__dirname, 'fixtures', 'GeoIP2-Country-Test.mmdb');
// RU in that fixture (test/fixtures/README.md).
const RU_ADDRESS = '95.173.130.7';
const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

interface Recorded {
  deps: RespondDeps;
  hostAddressCalls: () => number;
  firewallCalls: FirewallRequest[];
  appended: Array<{ path: string; line: string }>;
  stderr: string[];
}

function depsFor(args: string[], config: unknown, appendLine?: (path: string, line: string) => void): Recorded {
  const home = mkdtempSync(join(tmpdir(), 'gr-respond-'));
  homes.push(home);
  let hostAddressCalls = 0;
  const firewallCalls: FirewallRequest[] = [];
  const appended: Array<{ path: string; line: string }> = [];
  const stderr: string[] = [];
  const deps: RespondDeps = {
    version: 'test',
    args,
    stdin: () => undefined,
    writeStdout: () => undefined,
    writeStderr: (line) => stderr.push(line),
    env: {},
    home,
    stateHome: home,
    bundleDir: home,
    now: () => new Date('2026-12-03T12:00:00Z'),
    elapsedMs: () => 1,
    configLocation: { dir: join(home, 'etc'), path: join(home, 'etc', 'geo-response.json') },
    readConfigText: () => JSON.stringify(config),
    configCache: undefined,
    listDatabaseFiles: () => [],
    openDatabase: openMmdb,
    appendLine: appendLine ?? ((path, line) => appended.push({ path, line })),
    hostAddresses: async () => {
      hostAddressCalls += 1;
      return ['192.0.2.1'];
    },
    applyFirewall: async (request) => {
      firewallCalls.push(request);
      return { fields: { backend: 'nftables', result: request.action === 'add' ? 'blocked' : 'unblocked' } as never };
    },
  };
  return { deps, hostAddressCalls: () => hostAddressCalls, firewallCalls, appended, stderr };
}

const DENY_RU = { databases: { geo: COUNTRY_DB }, policy: { mode: 'deny', countries: ['RU'] }, firewall: { backend: 'nftables' } };
const ossecArgs = (action: string) => [action, '-', RU_ADDRESS, '1.1', '5712', '/var/log/auth.log', '-'];

describe('respond: what each action asks of the outside world', () => {
  it('an add the policy blocks lists the host addresses once, then asks the firewall to block', async () => {
    const run = depsFor(ossecArgs('add'), DENY_RU);
    expect(await respond(run.deps)).toBeUndefined();
    expect(run.hostAddressCalls()).toBe(1);
    expect(run.firewallCalls.map((call) => [call.action, call.address.text, call.decision])).toEqual([['add', RU_ADDRESS, 'block']]);
    expect(JSON.parse(run.appended[0]!.line).geo_response.decision).toEqual({ action: 'block', reason: 'RU is in deny list' });
  });

  it('a delete is not decided: no host addresses listed, the firewall asked to remove, no decision in the record', async () => {
    const run = depsFor(ossecArgs('delete'), DENY_RU);
    expect(await respond(run.deps)).toBeUndefined();
    expect(run.hostAddressCalls()).toBe(0);
    expect(run.firewallCalls.map((call) => [call.action, call.address.text, call.decision])).toEqual([['delete', RU_ADDRESS, undefined]]);
    const record = JSON.parse(run.appended[0]!.line);
    expect(record.geo_response.decision).toBeUndefined();
    expect(record.source.geo.country_iso_code).toBe('RU');
  });

  it('an add only logged lists no host addresses and runs no firewall', async () => {
    const run = depsFor(ossecArgs('add'), { ...DENY_RU, policy: { mode: 'deny', countries: ['CN'] } });
    expect(await respond(run.deps)).toBeUndefined();
    expect([run.hostAddressCalls(), run.firewallCalls.length]).toEqual([0, 0]);
  });

  it('a failure whose record cannot be written: one stderr line names both, and the log failure decides the exit', async () => {
    const run = depsFor(['add', '-', 'not-an-address', '1.1', '5712', '/var/log/auth.log', '-'], DENY_RU, () => {
      throw new GeoResponseError('cannot append: EROFS', { code: 'LOG_NOT_WRITABLE', kind: 'log' });
    });
    const failure = await respond(run.deps);
    expect(failure?.kind).toBe('log');
    expect(run.stderr).toHaveLength(1);
    expect(run.stderr[0]).toMatch(/^geo-response: .*not-an-address.*; and the record of it was lost: cannot append: EROFS; and cannot append: EROFS$/);
  });
});
