/**
 * A seeded generator of realistic geo logs (what `geo-response` appends), for
 * the report tests and `scripts/bench-report.mjs`. Same seed, same log.
 * Attackers follow a heavy-tailed distribution over a fixed pool of IPs, a
 * deny list blocks some countries, `delete` follows some `add`s, and a few
 * records are failures, private addresses, or carry hostile text (HTML,
 * spreadsheet formulas, terminal escapes) in attacker-influenced fields.
 */
import { createRandom } from './random.js';
import { writeFileSync, createWriteStream } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { GeoLogRecord } from '../../src/log/record.js';

export interface GeoLogOptions {
  seed: number;
  count: number;
  /** First record's time; records then move forward in time. */
  start: Date;
  /** Roughly the last record's time. */
  end: Date;
  /** Size of the attacker pool (distinct public IPs). */
  distinctIps?: number;
  /**
   * How attackers are drawn from the pool: `heavy-tail` (default: a few send most of the
   * traffic, as in real logs) or `round-robin` (each in turn, so every address of the pool
   * appears once the log has as many attacker records as the pool has addresses: the bench's
   * many-distinct-addresses log).
   */
  spread?: 'heavy-tail' | 'round-robin';
}

interface CountrySpec {
  code: string;
  name: string;
  weight: number;
  lat: number;
  lon: number;
  asns: Array<[number, string]>;
}

// Small countries (SG, HK, BH) have no shape in world-atlas 110m: the map draws them as markers.
const COUNTRIES: CountrySpec[] = [
  { code: 'CN', name: 'China', weight: 30, lat: 35, lon: 105, asns: [[4134, 'Chinanet'], [4837, 'CHINA UNICOM China169 Backbone']] },
  { code: 'RU', name: 'Russia', weight: 18, lat: 55.7, lon: 37.6, asns: [[12389, 'Rostelecom'], [49505, 'Selectel']] },
  { code: 'US', name: 'United States', weight: 16, lat: 39, lon: -98, asns: [[14061, 'DigitalOcean, LLC'], [16509, 'Amazon.com, Inc.']] },
  { code: 'BR', name: 'Brazil', weight: 8, lat: -15.8, lon: -47.9, asns: [[28573, 'Claro NXT']] },
  { code: 'IN', name: 'India', weight: 7, lat: 20.6, lon: 78.9, asns: [[9829, 'National Internet Backbone']] },
  { code: 'VN', name: 'Vietnam', weight: 6, lat: 21, lon: 105.8, asns: [[45899, 'VNPT Corp']] },
  { code: 'DE', name: 'Germany', weight: 5, lat: 51.2, lon: 10.4, asns: [[24940, 'Hetzner Online GmbH']] },
  { code: 'NL', name: 'Netherlands', weight: 4, lat: 52.4, lon: 4.9, asns: [[202425, '=HYPERLINK("http://x")']] },
  { code: 'IR', name: 'Iran', weight: 3, lat: 35.7, lon: 51.4, asns: [[58224, 'Iran Telecommunication Company PJS']] },
  { code: 'KR', name: 'South Korea', weight: 5, lat: 37.6, lon: 127, asns: [[4766, 'Korea Telecom']] },
  { code: 'FR', name: 'France', weight: 3, lat: 48.9, lon: 2.35, asns: [[16276, 'OVH SAS']] },
  { code: 'SG', name: 'Singapore', weight: 3, lat: 1.35, lon: 103.8, asns: [[45102, 'Alibaba (US) Technology Co., Ltd.']] },
  { code: 'HK', name: 'Hong Kong', weight: 2, lat: 22.3, lon: 114.2, asns: [[9381, 'HKBN <b>Enterprise</b>']] },
  { code: 'ID', name: 'Indonesia', weight: 2, lat: -6.2, lon: 106.8, asns: [[7713, 'Telkomunikasi Indonesia']] },
  { code: 'UA', name: 'Ukraine', weight: 2, lat: 50.45, lon: 30.5, asns: [[15895, 'Kyivstar']] },
  { code: 'KP', name: 'North Korea', weight: 1, lat: 39, lon: 125.75, asns: [[131279, 'Star Joint Venture Co., Ltd.']] },
  { code: 'ZA', name: 'South Africa', weight: 1, lat: -26.2, lon: 28, asns: [[37457, 'Telkom SA Ltd.']] },
  { code: 'AR', name: 'Argentina', weight: 1, lat: -34.6, lon: -58.4, asns: [[7303, 'Telecom Argentina S.A.']] },
  { code: 'BH', name: 'Bahrain', weight: 1, lat: 26.2, lon: 50.6, asns: [[5416, 'Beyon B.S.C.']] },
  // Neighbours whose map labels would collide (GB over DE, JP over KR) unless placed apart.
  { code: 'GB', name: 'United Kingdom', weight: 5, lat: 51.5, lon: -0.1, asns: [[2856, 'British Telecommunications PLC']] },
  { code: 'JP', name: 'Japan', weight: 7, lat: 35.7, lon: 139.7, asns: [[2516, 'KDDI CORPORATION']] },
  { code: 'PL', name: 'Poland', weight: 1, lat: 52.2, lon: 21, asns: [[5617, 'Orange Polska Spolka Akcyjna']] },
  { code: 'IT', name: 'Italy', weight: 1, lat: 41.9, lon: 12.5, asns: [[3269, 'Telecom Italia S.p.A.']] },
];
const DENY = new Set(['RU', 'CN', 'KP', 'IR']);
const RULES: Array<[string, number, string]> = [
  ['5710', 5, 'sshd: Attempt to login using a non-existent user'],
  ['5712', 10, 'sshd: brute force trying to get access to the system. Non existent user.'],
  ['31151', 10, 'Multiple web server 400 error codes from same source ip.'],
  ['31103', 6, '<script>alert("xss")</script> SQL injection attempt'],
  ['100200', 12, '"><img src=x onerror=alert(1)> custom rule'],
];
const USERS = ['root', 'admin', 'ubuntu', 'oracle', '<svg onload=alert(1)>', 'test\u001b[31m'];
const ERROR_CODES = ['LOOKUP_FAILED', 'FIREWALL_FAILED', 'HANDSHAKE_TIMEOUT'];
// A manager's fleet: a few agents see most of the attacks; one name is hostile text.
const AGENTS: Array<[string, string, string]> = [
  ['001', 'web1', '10.0.0.5'],
  ['002', 'web2', '10.0.0.6'],
  ['003', 'mail1', '10.0.1.7'],
  ['004', 'vpn-gw', '10.0.2.1'],
  ['005', '<i>db1</i>', '10.0.3.9'],
];

/** The ECS `event` object every record starts with, as the executable writes it. */
function ecsEvent(fields: { action?: 'add' | 'delete'; outcome: 'success' | 'failure'; reason: string; decision?: 'block' | 'allow' | 'log'; severity: number }): GeoLogRecord['event'] {
  const type: GeoLogRecord['event']['type'] = [];
  if (fields.action === 'add' && fields.decision) type.push(fields.decision === 'block' ? 'denied' : fields.decision === 'allow' ? 'allowed' : 'info');
  else if (fields.action) type.push('info');
  if (fields.outcome === 'failure') type.push('error');
  return {
    kind: 'event',
    module: 'geo-response',
    dataset: 'geo-response.log',
    category: ['intrusion_detection'],
    type,
    ...(fields.action ? { action: fields.action } : {}),
    outcome: fields.outcome,
    reason: fields.reason,
    severity: fields.severity,
    duration: 4_000_000,
  };
}

/** Examples of lines the report must count as malformed and skip. */
export const MALFORMED_LINES = [
  'not json at all',
  '{"@timestamp":"2026-11-20T00:00:00Z","event":{"outcome":"success"}',
  '{"hello":"world"}',
  '[1,2,3]',
  '{"@timestamp":"yesterday","event":{"outcome":"success"},"geo_response":{}}',
  '{"@timestamp":"2026-11-20T00:00:00Z","event":{"outcome":"success"},"geo_response":{},"source":{"ip":42}}',
  '42',
];

interface Attacker {
  ip: string;
  country: CountrySpec;
  asn: [number, string];
}

function buildPool(random: () => number, size: number): Attacker[] {
  const totalWeight = COUNTRIES.reduce((sum, country) => sum + country.weight, 0);
  const pool: Attacker[] = [];
  for (let index = 0; index < size; index += 1) {
    let pick = random() * totalWeight;
    const country = COUNTRIES.find((candidate) => (pick -= candidate.weight) < 0) ?? (COUNTRIES[0] as CountrySpec);
    const countryIndex = COUNTRIES.indexOf(country);
    const asn = country.asns[index % country.asns.length] as [number, string];
    // Distinct by construction: the index is spread over the last three octets (or the IPv6 interface id).
    const ip =
      index % 10 === 9
        ? `2001:db8:${(countryIndex + 1).toString(16)}::${index.toString(16)}`
        : `${1 + ((countryIndex * 11) % 222)}.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
    pool.push({ ip, country, asn });
  }
  return pool;
}

/** Records one by one (constant memory, for big logs). */
export function* iterateGeoRecords(options: GeoLogOptions): Generator<GeoLogRecord> {
  const random = createRandom(options.seed);
  const pool = buildPool(random, options.distinctIps ?? Math.max(10, Math.min(20_000, Math.floor(options.count / 5))));
  const startMs = options.start.getTime();
  const stepMs = (options.end.getTime() - startMs) / Math.max(1, options.count);
  let timeMs = startMs;
  let turn = 0;
  for (let index = 0; index < options.count; index += 1) {
    timeMs += Math.floor(random() * 2 * stepMs);
    const roll = random();
    const [ruleId, level, description] = RULES[Math.floor(random() * RULES.length)] as [string, number, string];
    const [agentId, agentName, agentIp] = AGENTS[Math.floor(AGENTS.length * random() ** 2)] as [string, string, string];
    const header = { '@timestamp': new Date(timeMs).toISOString(), ecs: { version: '9.4.0' as const } };
    const who = { rule: { id: ruleId, description }, observer: { name: agentName, ip: [agentIp] } };
    if (roll < 0.01) {
      yield {
        ...header,
        event: ecsEvent({ outcome: 'failure', reason: 'srcip "300.1.2.3" is not an IPv4/IPv6 address', severity: level }),
        ...who,
        geo_response: { version: '0.1.0', protocol: 'ossec', agent_id: agentId, error_code: 'INVALID_IP' },
      };
      continue;
    }
    const action = random() < 0.3 ? 'delete' : 'add';
    const user = random() < 0.4 ? { user: { target: { name: USERS[Math.floor(random() * USERS.length)] as string } } } : {};
    if (roll < 0.03) {
      const ip = `192.168.${Math.floor(random() * 4)}.${Math.floor(random() * 250) + 1}`;
      const reason = '192.168.0.0/16 never blocked (private; allow_private is false)';
      yield {
        ...header,
        event: ecsEvent({ action, outcome: 'success', reason: `${action} ${ip} (private): ${reason}`, ...(action === 'add' ? { decision: 'allow' as const } : {}), severity: level }),
        source: { ip },
        ...user,
        ...who,
        geo_response: {
          version: '0.1.0',
          protocol: 'wazuh4',
          agent_id: agentId,
          address_class: 'private',
          network: '192.168.0.0/16',
          ...(action === 'add' ? { decision: { action: 'allow' as const, reason } } : {}),
        },
      };
      continue;
    }
    // Heavy tail: a few IPs send most of the traffic.
    const heavyTail = Math.floor(pool.length * random() ** 3);
    const attacker = pool[options.spread === 'round-robin' ? turn++ % pool.length : heavyTail] as Attacker;
    const denied = DENY.has(attacker.country.code);
    const failed = random() < 0.02;
    const errorCode = failed ? (ERROR_CODES[Math.floor(random() * ERROR_CODES.length)] as string) : undefined;
    const documentation = attacker.ip.startsWith('2001:db8:');
    const decision: NonNullable<GeoLogRecord['geo_response']['decision']> = denied
      ? { action: 'block', reason: `${attacker.country.code} is in deny list` }
      : random() < 0.5
        ? { action: 'allow', reason: `${attacker.country.code} is not in deny list` }
        : { action: 'log', reason: 'policy mode off' };
    yield {
      ...header,
      event: ecsEvent({
        action,
        outcome: failed ? 'failure' : 'success',
        reason: `${action} ${attacker.ip} (${attacker.country.code}): ${attacker.country.code} ${denied ? 'is in' : 'is not in'} deny list`,
        ...(action === 'add' ? { decision: decision.action } : {}),
        severity: level,
      }),
      source: {
        ip: attacker.ip,
        geo: {
          country_iso_code: attacker.country.code,
          country_name: attacker.country.name,
          city_name: 'Somewhere',
          location: { lat: attacker.country.lat + (random() - 0.5), lon: attacker.country.lon + (random() - 0.5) },
        },
        as: { number: attacker.asn[0], organization: { name: attacker.asn[1] } },
      },
      ...user,
      ...who,
      geo_response: {
        version: '0.1.0',
        protocol: index % 3 === 0 ? 'ossec' : 'wazuh4',
        agent_id: agentId,
        alert_id: `${Math.floor(timeMs / 1000)}.${index}`,
        // The generator's IPv6 attackers sit in the documentation range: real records say so.
        address_class: documentation ? 'documentation' : 'public',
        ...(action === 'add' ? { decision } : {}),
        firewall: { backend: 'nftables', result: denied ? (action === 'add' ? 'blocked' : 'unblocked') : 'none' },
        ...(errorCode ? { error_code: errorCode } : {}),
      },
    };
  }
}

/** All records of a (small) log, for tests that recount them. */
export function makeGeoRecords(options: GeoLogOptions): GeoLogRecord[] {
  return [...iterateGeoRecords(options)];
}

/** Write lines as a log file (JSON lines, `\n` after each), gzip-compressed if asked. */
export function writeGeoLogFile(file: string, lines: string[], options: { gzip?: boolean } = {}): void {
  const text = lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  writeFileSync(file, options.gzip ? gzipSync(text) : text);
}

/** Stream a big generated log to `file` without holding it in memory; resolves with the bytes written. */
export async function writeBigGeoLog(file: string, options: GeoLogOptions): Promise<number> {
  const out = createWriteStream(file);
  let batch: string[] = [];
  let bytes = 0;
  const flush = async (): Promise<void> => {
    const text = `${batch.join('\n')}\n`;
    batch = [];
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  for (const record of iterateGeoRecords(options)) {
    batch.push(JSON.stringify(record));
    if (batch.length === 10_000) await flush();
  }
  if (batch.length > 0) await flush();
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return bytes;
}
