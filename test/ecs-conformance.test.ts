/**
 * Every record kind the executable writes, checked field by field against ECS 9.4.0 and against
 * the index template that ships in active-response/elasticsearch/: each name outside
 * geo_response.* is an ECS field and holds a value of its type (arrays where ECS says array,
 * allowed values for the categorisation fields), and the template maps every field a record carries.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOssec, runWazuh4 } from './support/execd';
import { makeBundleHome, REPO_ROOT } from './support/bundle-home';
import { checkEcsValue, findEcsFlatYml, flattenRecord, parseEcsFlatYml, readVendoredEcsFields, type EcsFields } from './support/ecs-fields';

const FIXTURES = join(__dirname, 'fixtures');
const WAZUH4 = JSON.parse(readFileSync(join(FIXTURES, 'messages', 'wazuh4-add.json'), 'utf8'));
const TEMPLATE = JSON.parse(readFileSync(join(REPO_ROOT, 'active-response', 'elasticsearch', 'geo-response-template.json'), 'utf8'));
const OUR_NAMESPACE = 'geo_response.';
// ECS's match_only_text is Elasticsearch's (7.14+); OpenSearch before 2.12, and so the Wazuh
// indexer, refuses a template that names it. ECS defines it as a variant of text: text it is.
const OPENSEARCH_TYPES: Record<string, string> = { match_only_text: 'text' };

const wazuh4 = (command: 'add' | 'delete', srcip: string, data: Record<string, unknown> = {}) => ({
  ...WAZUH4,
  command,
  parameters: { ...WAZUH4.parameters, alert: { ...WAZUH4.parameters.alert, data: { srcip, dstuser: 'root', srcuser: 'deploy', ...data } } },
});

/** A home whose policy blocks Germany through a `command` backend script that does nothing but succeed (or fail, when told). */
function blockingHome(options: { failing?: boolean; dryRunNftables?: boolean } = {}) {
  const home = makeBundleHome('gr-ecs-');
  const script = join(home.home, 'active-response', 'bin', 'fake-firewall.sh');
  writeFileSync(script, options.failing ? '#!/bin/sh\necho "no such chain" >&2\nexit 3\n' : '#!/bin/sh\nexit 0\n');
  chmodSync(script, 0o755);
  const firewall = options.dryRunNftables ? { backend: 'nftables', dry_run: true } : { backend: 'command', command: [script] };
  home.writeConfig({
    databases: { geo: join(FIXTURES, 'GeoIP2-City-Test.mmdb'), asn: join(FIXTURES, 'GeoLite2-ASN-Test.mmdb') },
    policy: { mode: 'deny', countries: ['DE'] },
    firewall,
    log: { record_skipped: true },
  });
  return home;
}

// One record of each kind, written by the built executable as execd would call it.
const KINDS: Array<{ kind: string; produce: () => Promise<Array<Record<string, any>>> }> = [
  {
    kind: 'log (Wazuh 4, every geo field, users, severity, observer)',
    produce: async () => {
      const home = makeBundleHome('gr-ecs-');
      home.writeConfig({ databases: { geo: join(FIXTURES, 'GeoIP2-City-Test.mmdb'), asn: join(FIXTURES, 'GeoLite2-ASN-Test.mmdb') } });
      await runWazuh4(wazuh4('add', '5.9.10.11'), 'continue', { command: home.command, env: home.env });
      return home.readRecords();
    },
  },
  {
    kind: 'log (OSSEC, agent from the location)',
    produce: async () => {
      const home = makeBundleHome('gr-ecs-');
      await runOssec('add admin 81.2.69.142 1795823801.5511 5712 (web1) 10.0.0.5->/var/log/secure -', { command: home.command, env: home.env });
      return home.readRecords();
    },
  },
  {
    kind: 'block and unblock (command backend)',
    produce: async () => {
      const home = blockingHome();
      await runWazuh4(wazuh4('add', '5.9.10.11'), 'continue', { command: home.command, env: home.env });
      await runWazuh4(wazuh4('delete', '5.9.10.11'), 'none', { command: home.command, env: home.env });
      return home.readRecords();
    },
  },
  {
    kind: 'block planned in dry run (nftables)',
    produce: async () => {
      const home = blockingHome({ dryRunNftables: true });
      await runOssec('add - 2a01:4f8:c17:1::2 1.1 5710 /var/log/auth.log -', { command: home.command, env: home.env });
      return home.readRecords();
    },
  },
  {
    kind: 'failure: the firewall command fails',
    produce: async () => {
      const home = blockingHome({ failing: true });
      await runOssec('add - 5.9.10.11 1.1 5710 /var/log/auth.log -', { command: home.command, env: home.env });
      return home.readRecords();
    },
  },
  {
    kind: 'failure: an invalid address, and an unreadable database',
    produce: async () => {
      const home = makeBundleHome('gr-ecs-');
      await runOssec('add - 300.1.2.3 1.1 5710 /var/log/auth.log -', { command: home.command, env: home.env });
      home.writeConfig({ databases: { geo: '/nonexistent/GeoLite2-City.mmdb' } });
      await runOssec('add - 81.2.69.142 1.1 5710 /var/log/auth.log -', { command: home.command, env: home.env });
      return home.readRecords();
    },
  },
  {
    kind: 'failure: input not understood (no action)',
    produce: async () => {
      const home = makeBundleHome('gr-ecs-');
      await runOssec('reprot - 81.2.69.142 1.1 5710 /var/log/auth.log -', { command: home.command, env: home.env });
      return home.readRecords();
    },
  },
  {
    kind: 'abort and handshake timeout (Wazuh 4)',
    produce: async () => {
      const home = makeBundleHome('gr-ecs-');
      await runWazuh4(wazuh4('add', '203.0.113.45'), 'abort', { command: home.command, env: home.env });
      await runWazuh4(wazuh4('add', '203.0.113.45'), 'none', { command: home.command, env: { ...home.env, GEO_RESPONSE_REPLY_TIMEOUT_MS: '200' } });
      return home.readRecords();
    },
  },
  {
    kind: 'skip (an alert without an address, record_skipped)',
    produce: async () => {
      const home = blockingHome();
      const message = wazuh4('add', '');
      message.parameters.alert.data = undefined;
      await runWazuh4(JSON.parse(JSON.stringify(message)), 'continue', { command: home.command, env: home.env });
      return home.readRecords();
    },
  },
  {
    kind: 'logins (OSSEC: learning, then a new country and impossible travel)',
    produce: async () => {
      const home = makeBundleHome('gr-ecs-');
      home.writeConfig({ databases: { geo: join(FIXTURES, 'GeoIP2-City-Test.mmdb') }, logins: { learning: { logins: 2, days: 0 } } });
      for (const ip of ['5.9.10.11', '5.9.10.11', '95.173.130.7']) await runOssec(`add alice ${ip} 1796000000.1 5715 /var/log/auth.log -`, { command: home.command, env: home.env });
      return home.readRecords();
    },
  },
];

const produced = new Map<string, Array<Record<string, any>>>();
beforeAll(async () => {
  for (const { kind, produce } of KINDS) produced.set(kind, await produce());
}, 120_000);

function mappingAt(path: string): Record<string, any> | undefined {
  let node: Record<string, any> | undefined = { properties: TEMPLATE.template.mappings.properties };
  for (const part of path.split('.')) node = node?.properties?.[part];
  return node;
}

function checkRecords(ecs: EcsFields, records: Array<Record<string, any>>): string[] {
  const problems: string[] = [];
  for (const record of records) {
    for (const [name, value] of flattenRecord(record, ecs)) {
      if (name.startsWith(OUR_NAMESPACE)) continue;
      const field = ecs[name];
      const problem = field ? checkEcsValue(field, value) : 'not an ECS field';
      if (problem) problems.push(`${name}: ${problem}`);
    }
  }
  return problems;
}

describe('every record kind is ECS 9.4.0', () => {
  it.each(KINDS.map(({ kind }) => kind))('%s', (kind) => {
    const records = produced.get(kind) ?? [];
    expect(records.length).toBeGreaterThan(0);
    expect(checkRecords(readVendoredEcsFields(), records)).toEqual([]);
    for (const record of records) expect(record.ecs).toEqual({ version: '9.4.0' });
  });

  const fullYml = findEcsFlatYml();
  it.skipIf(!fullYml)('against the full ecs_flat.yml too, and the vendored extract says what it says (skipped: no ecs_flat.yml in GEO_RESPONSE_ECS_FLAT or ../shared/ecs)', () => {
    const full = parseEcsFlatYml(readFileSync(fullYml as string, 'utf8'));
    const vendored = readVendoredEcsFields();
    for (const [name, field] of Object.entries(vendored)) expect({ name, ...full[name] }).toEqual({ name, ...field });
    for (const kind of produced.keys()) expect(checkRecords(full, produced.get(kind) ?? [])).toEqual([]);
  });

  it('the records carry what the kinds are about', () => {
    const all = [...produced.values()].flat();
    const types = new Set(all.map((record) => JSON.stringify(record.event.type)));
    expect([...types].sort()).toEqual(['["denied","error"]', '["denied"]', '["error"]', '["info","error"]', '["info"]', '["start"]'].sort());
    expect(new Set(all.map((record) => record.geo_response.firewall?.result).filter(Boolean))).toEqual(new Set(['blocked', 'unblocked', 'planned', 'failed']));
    expect(all.some((record) => record.source === undefined && record.event.reason.startsWith('skipped'))).toBe(true);
    expect(all.map((record) => record.geo_response.error_code).filter(Boolean).sort()).toEqual(['DATABASE_NOT_FOUND', 'FIREWALL_COMMAND_FAILED', 'HANDSHAKE_TIMEOUT', 'INVALID_IP', 'UNKNOWN_ACTION'].sort());
    const logins = produced.get(KINDS.find((kind) => kind.kind.startsWith('logins'))!.kind)!;
    expect(logins.map((record) => record.geo_response.login?.finding)).toEqual(['learning', 'learning', 'new_country,impossible_travel']);
    expect(logins.every((record) => record.event.category[0] === 'authentication')).toBe(true);
    const log = produced.get(KINDS[0]!.kind)![0]!;
    expect(log.source.geo).toMatchObject({ continent_code: 'EU', continent_name: 'Europe', region_iso_code: 'DE-BY', location: { lat: 48.1374, lon: 11.5755 } });
    expect(log.user).toEqual({ name: 'deploy', target: { name: 'root' } });
    expect(log.observer).toEqual({ name: 'web01', ip: ['10.0.0.5'] });
    expect(log.event.severity).toBe(10);
    expect(Number.isInteger(log.event.duration)).toBe(true);
    expect(produced.get(KINDS[1]!.kind)![0]!.observer).toEqual({ name: 'web1', ip: ['10.0.0.5'] });
  });
});

describe('the index template', () => {
  it('is a composable template for geo-response-* with source.geo.location as geo_point', () => {
    expect(TEMPLATE.index_patterns).toEqual(['geo-response-*']);
    expect(TEMPLATE.template.mappings.properties).toBeDefined();
    expect(mappingAt('source.geo.location')).toEqual({ type: 'geo_point' });
    expect(mappingAt('source.ip')).toEqual({ type: 'ip' });
  });

  it('maps every field of every record kind, ECS fields with their ECS type', () => {
    const ecs = readVendoredEcsFields();
    const unmapped: string[] = [];
    for (const record of [...produced.values()].flat()) {
      for (const [name] of flattenRecord(record, ecs)) {
        const mapping = mappingAt(name);
        if (!mapping?.type) unmapped.push(`${name}: not mapped`);
      }
    }
    expect([...new Set(unmapped)]).toEqual([]);
  });

  it('maps each ECS field with its ECS type, in types OpenSearch and the Wazuh indexer know', () => {
    const ecs = readVendoredEcsFields();
    const wrong = Object.entries(ecs)
      .filter(([name, field]) => mappingAt(name)?.type !== (OPENSEARCH_TYPES[field.type] ?? field.type))
      .map(([name, field]) => `${name}: ${mappingAt(name)?.type}, ECS says ${field.type}`);
    expect(wrong).toEqual([]);
    const types = new Set<string>();
    const collect = (properties: Record<string, any>) => {
      for (const mapping of Object.values(properties)) mapping.properties ? collect(mapping.properties) : types.add(mapping.type);
    };
    collect(TEMPLATE.template.mappings.properties);
    expect([...types].filter((type) => !['boolean', 'date', 'float', 'geo_point', 'ip', 'keyword', 'long', 'text'].includes(type))).toEqual([]);
  });

  it('maps every field ECS-side the vendored extract lists, and nothing ECS does not define', () => {
    const ecs = readVendoredEcsFields();
    const mapped: string[] = [];
    const walk = (properties: Record<string, any>, prefix: string) => {
      for (const [key, mapping] of Object.entries(properties)) {
        const name = `${prefix}${key}`;
        if (mapping.properties) walk(mapping.properties, `${name}.`);
        else mapped.push(name);
      }
    };
    walk(TEMPLATE.template.mappings.properties, '');
    expect(mapped.filter((name) => !name.startsWith(OUR_NAMESPACE)).sort()).toEqual(Object.keys(ecs).sort());
  });
});
