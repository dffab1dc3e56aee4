import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runReport, type ReportSummary } from '../src/report/index.js';

// The report's edges: a record exactly on a --since or --until instant (since is inclusive,
// until exclusive: `--since D --until D+1` is exactly one day), and --top N on every table it
// cuts. Small hand-made logs, so each expected row is visible in the test.

const NOW = new Date('2026-11-27T12:00:00Z');

async function report(args: string[], files: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) => new Writable({ write: (chunk, _encoding, done) => (append(String(chunk)), done()) });
  const code = await runReport([...args, ...files], {
    stdout: sink((text) => (stdout += text)),
    stderr: sink((text) => (stderr += text)),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    now: NOW,
    home: path.dirname(files[0]!),
  });
  return { code, stdout, stderr };
}

interface Sighting {
  at: string;
  ip: string;
  country?: string;
  asn?: number;
  decision?: { action: 'block' | 'allow' | 'log'; reason: string };
  errorCode?: string;
}

function recordOf(sighting: Sighting): Record<string, unknown> {
  return {
    '@timestamp': sighting.at,
    event: { kind: 'event', module: 'geo-response', action: 'add', outcome: sighting.errorCode ? 'failure' : 'success', reason: 'test' },
    source: {
      ip: sighting.ip,
      ...(sighting.country ? { geo: { country_iso_code: sighting.country } } : {}),
      ...(sighting.asn ? { as: { number: sighting.asn, organization: { name: `Org ${sighting.asn}` } } } : {}),
    },
    rule: { id: '5710', level: 5 },
    geo_response: {
      version: '0.1.0',
      protocol: 'ossec',
      ...(sighting.decision ? { decision: sighting.decision } : {}),
      ...(sighting.errorCode ? { error_code: sighting.errorCode } : {}),
      duration_ms: 1,
    },
  };
}

function writeLog(sightings: Sighting[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'report-edges-')), 'geo.log');
  writeFileSync(file, sightings.map((sighting) => `${JSON.stringify(recordOf(sighting))}\n`).join(''));
  return file;
}

async function matchedIps(args: string[], file: string): Promise<string[]> {
  const result = await report(['--format', 'json', '--top', '0', ...args], [file]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const summary = JSON.parse(result.stdout) as ReportSummary;
  expect(summary.records.matched).toBe(summary.top_ips.rows.length);
  return summary.top_ips.rows.map((row) => row.ip).sort();
}

describe('--since is inclusive, --until exclusive, to the millisecond', () => {
  // One record on each side of and on each bound; the address names the record's time.
  const SINCE = '2026-11-22T06:00:00.000Z';
  const UNTIL = '2026-11-24T18:30:00.000Z';
  const file = writeLog([
    { at: '2026-11-22T05:59:59.999Z', ip: '11.0.0.1' },
    { at: SINCE, ip: '11.0.0.2' },
    { at: '2026-11-22T06:00:00.001Z', ip: '11.0.0.3' },
    { at: '2026-11-24T18:29:59.999Z', ip: '11.0.0.4' },
    { at: UNTIL, ip: '11.0.0.5' },
    { at: '2026-11-24T18:30:00.001Z', ip: '11.0.0.6' },
    // The since instant written with an offset: the same instant, so on the bound too.
    { at: '2026-11-22T07:00:00+01:00', ip: '11.0.0.7' },
    // Midnight, for the bare-date form of the bounds.
    { at: '2026-11-23T00:00:00.000Z', ip: '11.0.0.8' },
    { at: '2026-11-22T23:59:59.999Z', ip: '11.0.0.9' },
  ]);

  it.each([
    { title: `--since ${SINCE} keeps the record on it`, args: ['--since', SINCE], ips: ['11.0.0.2', '11.0.0.3', '11.0.0.4', '11.0.0.5', '11.0.0.6', '11.0.0.7', '11.0.0.8', '11.0.0.9'] },
    { title: `--until ${UNTIL} drops the record on it`, args: ['--until', UNTIL], ips: ['11.0.0.1', '11.0.0.2', '11.0.0.3', '11.0.0.4', '11.0.0.7', '11.0.0.8', '11.0.0.9'] },
    { title: `--since ${SINCE} --until ${UNTIL}`, args: ['--since', SINCE, '--until', UNTIL], ips: ['11.0.0.2', '11.0.0.3', '11.0.0.4', '11.0.0.7', '11.0.0.8', '11.0.0.9'] },
    { title: '--since and --until the same instant: nothing', args: ['--since', SINCE, '--until', SINCE], ips: [] },
    { title: '--since the instant, --until 1 ms later: exactly the records on it', args: ['--since', SINCE, '--until', '2026-11-22T06:00:00.001Z'], ips: ['11.0.0.2', '11.0.0.7'] },
    { title: '--since 2026-11-23 (bare date: midnight UTC) keeps midnight', args: ['--since', '2026-11-23', '--until', '2026-11-24'], ips: ['11.0.0.8'] },
    { title: '--until 2026-11-23 (bare date) drops midnight', args: ['--since', '2026-11-22T12:00:00Z', '--until', '2026-11-23'], ips: ['11.0.0.9'] },
  ])('$title', async ({ args, ips }) => {
    expect(await matchedIps(args, file)).toEqual(ips);
  });

  it('--since 5d (relative to now) keeps the record exactly 5 days before now, drops 1 ms earlier', async () => {
    const fiveDaysAgo = NOW.getTime() - 5 * 86_400_000;
    const relative = writeLog([
      { at: new Date(fiveDaysAgo - 1).toISOString(), ip: '11.0.1.1' },
      { at: new Date(fiveDaysAgo).toISOString(), ip: '11.0.1.2' },
    ]);
    expect(await matchedIps(['--since', '5d'], relative)).toEqual(['11.0.1.2']);
    expect(await matchedIps(['--until', '5d'], relative)).toEqual(['11.0.1.1']);
  });
});

describe('--top N cuts every ranked table it applies to, and only those', () => {
  // Eight IPs with 8, 7, … 1 events; each IP its own AS; five countries; four block reasons
  // and three failure codes, so every table has more rows than the N under test.
  const COUNTRIES = ['CN', 'RU', 'US', 'BR', 'IN', 'CN', 'RU', 'US'];
  const sightings: Sighting[] = [];
  for (let index = 0; index < 8; index += 1) {
    for (let event = 0; event < 8 - index; event += 1) {
      const minute = String(sightings.length).padStart(2, '0');
      sightings.push({
        at: `2026-11-26T10:${minute}:00.000Z`,
        ip: `100.51.100.${index + 1}`,
        country: COUNTRIES[index]!,
        asn: 64500 + index,
        decision: { action: 'block', reason: `${COUNTRIES[index]} is in deny list` },
        ...(event === 0 && index < 3 ? { errorCode: ['NFT_FAILED', 'LOOKUP_FAILED', 'LOG_FAILED'][index]! } : {}),
      });
    }
  }
  const file = writeLog(sightings);
  const TOTALS = { countries: 5, asns: 8, ips: 8, reasons: 5, failures: 3 };
  // The whole tables, written by hand from the log above (36 events; shares of 36 to 4 places).
  // A "block" is the policy's word on an add, also when the firewall then failed.
  const SHARES = ['0.2222', '0.1944', '0.1667', '0.1389', '0.1111', '0.0833', '0.0556', '0.0278'];
  const ASN_CSV = Array.from({ length: 8 }, (_, index) => `${64500 + index},Org ${64500 + index},${8 - index},1,${8 - index},${SHARES[index]}`);
  const FIRST_LAST = [['00', '07'], ['08', '14'], ['15', '20'], ['21', '25'], ['26', '29'], ['30', '32'], ['33', '34'], ['35', '35']];
  const IP_CSV = FIRST_LAST.map(([first, last], index) =>
    `198.51.100.${index + 1},${8 - index},0,${COUNTRIES[index]},${64500 + index},Org ${64500 + index},2026-11-26T10:${first}:00.000Z,2026-11-26T10:${last}:00.000Z,true`);
  const COUNTRY_CSV = ['CN,China,11,2,11,0.3056', 'RU,Russia,9,2,9,0.25', 'US,United States,7,2,7,0.1944', 'BR,Brazil,5,1,5,0.1389', 'IN,India,4,1,4,0.1111'];
  const REASONS = [['CN', 11], ['RU', 9], ['US', 7], ['BR', 5], ['IN', 4]] as const;
  const FAILURES = [['LOG_FAILED', 1], ['LOOKUP_FAILED', 1], ['NFT_FAILED', 1]] as const;
  const CSV: Record<string, string[]> = {
    asns: ['asn,organization,events,unique_ips,blocks,share', ...ASN_CSV],
    ips: ['ip,events,error,country,asn,organization,first_seen,last_seen,blocked', ...IP_CSV],
    countries: ['iso_code,name,events,unique_ips,blocks,share', ...COUNTRY_CSV],
    decisions: ['decision,reason,events', ...REASONS.map(([country, events]) => `block,${country} is in deny list,${events}`)],
    failures: ['error_code,events', ...FAILURES.map(([code, events]) => `${code},${events}`)],
  };
  const ASN_ROWS = Array.from({ length: 8 }, (_, index) => ({
    number: 64500 + index,
    organization: `Org ${64500 + index}`,
    events: 8 - index,
    unique_ips: 1,
    blocks: 8 - index,
    share: Number(SHARES[index]),
  }));
  const COUNTRY_ROWS = COUNTRY_CSV.map((line) => {
    const [iso, name, events, ips, blocks, share] = line.split(',');
    return { iso_code: iso, name, events: Number(events), unique_ips: Number(ips), blocks: Number(blocks), share: Number(share), location: null };
  });
  const DECISIONS = [{ action: 'block', events: 36, reasons: REASONS.map(([country, events]) => ({ reason: `${country} is in deny list`, events })) }];
  const FAILURE_SUMMARY = { events: 3, by_code: FAILURES.map(([code, events]) => ({ code, events })) };

  async function json(top: number): Promise<ReportSummary> {
    const result = await report(['--format', 'json', '--top', String(top)], [file]);
    expect([result.code, result.stderr]).toEqual([0, '']);
    return JSON.parse(result.stdout) as ReportSummary;
  }

  it('the whole tables (--top 0), as written by hand above', async () => {
    const all = await json(0);
    expect(all.asns.rows).toEqual(ASN_ROWS);
    expect(all.countries.rows).toEqual(COUNTRY_ROWS);
    expect(all.top_ips.rows.map((row) => `${row.ip}:${row.events}`)).toEqual(Array.from({ length: 8 }, (_, index) => `198.51.100.${index + 1}:${8 - index}`));
    expect(all.decisions).toEqual(DECISIONS);
    expect(all.failures).toEqual(FAILURE_SUMMARY);
  });

  describe.each([1, 2, 3, 7, 8, 9])('--top %i', (top) => {
    const keep = (total: number) => Math.min(top, total);

    it('json: ASN and IP rows cut to the first N; countries, reasons and failures kept whole', async () => {
      const cut = await json(top);
      expect(cut.asns.rows).toEqual(ASN_ROWS.slice(0, keep(TOTALS.asns)));
      expect(cut.asns.total).toBe(TOTALS.asns);
      expect(cut.top_ips.rows.map((row) => row.ip)).toEqual(Array.from({ length: keep(TOTALS.ips) }, (_, index) => `198.51.100.${index + 1}`));
      expect(cut.countries.rows).toEqual(COUNTRY_ROWS);
      expect(cut.decisions).toEqual(DECISIONS);
      expect(cut.failures).toEqual(FAILURE_SUMMARY);
    });

    it.each([
      { table: 'asns', rows: keep(TOTALS.asns) },
      { table: 'ips', rows: keep(TOTALS.ips) },
      { table: 'countries', rows: TOTALS.countries },
      { table: 'decisions', rows: TOTALS.reasons },
      { table: 'failures', rows: TOTALS.failures },
    ])('csv --table $table: $rows rows', async ({ table, rows }) => {
      const cut = await report(['--format', 'csv', '--table', table, '--top', String(top)], [file]);
      expect(cut.stdout.split('\r\n').filter((line) => line !== '')).toEqual(CSV[table]!.slice(0, rows + 1));
    });

    it('table: countries, networks, IPs, decision reasons and failure codes cut to N', async () => {
      const result = await report(['--format', 'table', '--top', String(top)], [file]);
      expect(result.code).toBe(0);
      const sections = tableSections(result.stdout);
      expect(sections.get(`Countries (${keep(TOTALS.countries)} of ${TOTALS.countries})`)).toHaveLength(keep(TOTALS.countries));
      expect(sections.get(`Networks (${keep(TOTALS.asns)} of ${TOTALS.asns})`)).toEqual(
        Array.from({ length: keep(TOTALS.asns) }, (_, index) => expect.stringMatching(new RegExp(`^  AS${64500 + index} +Org ${64500 + index} +${8 - index} `))),
      );
      expect(sections.get(`Top IPs (${keep(TOTALS.ips)})`)).toEqual(
        Array.from({ length: keep(TOTALS.ips) }, (_, index) => expect.stringMatching(new RegExp(`^  100\\.51\\.100\\.${index + 1} +${8 - index} `))),
      );
      // This section has no column header: its rows are every line under the title.
      const decisions = result.stdout.split('\n\n').find((block) => block.startsWith('Decisions (share of decisions) and failures\n'))!.split('\n');
      expect(decisions.filter((line) => / is in deny list$/.test(line))).toHaveLength(keep(TOTALS.reasons));
      expect(decisions.filter((line) => /  [A-Z]+_FAILED$/.test(line))).toHaveLength(keep(TOTALS.failures));
    });

    it('html: networks, IPs and decision reasons cut to N; countries kept whole', async () => {
      const output = path.join(path.dirname(file), `top-${top}.html`);
      const result = await report(['--format', 'html', '--top', String(top), '--output', output], [file]);
      expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
      const html = readFileSync(output, 'utf8');
      expect(html).toContain(`<h2>Networks (top ${keep(TOTALS.asns)} of ${TOTALS.asns})</h2>`);
      expect(html).toContain(`<h2>Countries (${TOTALS.countries})</h2>`);
      const asnCells = [...html.matchAll(/<td>AS(645\d\d)<\/td>/g)].map((match) => Number(match[1]));
      // Each AS appears once in the networks table and once per IP row in the IP table.
      const ipCells = [...html.matchAll(/<td>(100\.51\.100\.\d)<\/td>/g)].map((match) => match[1]);
      expect(ipCells).toEqual(Array.from({ length: keep(TOTALS.ips) }, (_, index) => `100.51.100.${index + 1}`));
      const networkRows = asnCells.length - ipCells.length;
      expect(networkRows).toBe(keep(TOTALS.asns));
      expect([...html.matchAll(/<td>[A-Z]{2} is in deny list<\/td>/g)]).toHaveLength(keep(TOTALS.reasons));
    });
  });
});

/** The table report split into its sections: title line → the data lines under its column header. */
function tableSections(text: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  for (const block of text.split('\n\n')) {
    const [title, , ...rows] = block.split('\n');
    if (title !== undefined && !title.startsWith(' ')) sections.set(title, rows.filter((row) => row !== ''));
  }
  return sections;
}

// What a manager of many agents reads: agents, addresses that are no attacker, a log without
// ASN data, no failures, and older records (agent.*, decisions on deletes) beside new ones.
describe('a manager of many agents', () => {
  const at = (minute: number) => `2026-11-26T10:${String(minute).padStart(2, '0')}:00.000Z`;
  const newRecord = (minute: number, ip: string, agent: string | undefined, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      '@timestamp': at(minute),
      ecs: { version: '9.4.0' },
      event: { kind: 'event', module: 'geo-response', dataset: 'geo-response.log', category: ['intrusion_detection'], type: ['denied'], action: 'add', outcome: 'success', reason: 'r', duration: 1_000_000 },
      source: { ip, geo: { country_iso_code: 'RU' } },
      ...(agent ? { observer: { name: agent, ip: ['10.0.0.5'] } } : {}),
      geo_response: { version: '0.2.0', protocol: 'wazuh4', address_class: 'public', decision: { action: 'block', reason: 'RU is in deny list' }, ...extra },
    });
  // Written before ECS 9.4.0 names: agent.*, rule.level, duration_ms, no address_class, a decision on a delete.
  const oldRecord = (minute: number, ip: string, action: 'add' | 'delete', agent: string) =>
    JSON.stringify({
      '@timestamp': at(minute),
      event: { kind: 'event', module: 'geo-response', action, outcome: 'success', reason: 'r' },
      source: { ip, geo: { country_iso_code: 'RU' } },
      rule: { id: '5710', level: 5 },
      agent: { id: '001', name: agent, ip: '10.0.0.5' },
      geo_response: { version: '0.1.0', protocol: 'ossec', decision: { action: 'block', reason: 'RU is in deny list' }, duration_ms: 2 },
    });
  const dir = mkdtempSync(path.join(tmpdir(), 'report-edges-'));
  const file = path.join(dir, 'geo.log');
  writeFileSync(
    file,
    [
      newRecord(1, '95.173.130.7', 'web1'),
      newRecord(2, '95.173.130.7', 'web1'),
      newRecord(3, '95.173.130.8', 'web2'),
      newRecord(4, '10.1.2.3', 'web2', { address_class: 'private' }),
      oldRecord(5, '95.173.130.9', 'add', 'mail1'),
      oldRecord(6, '95.173.130.9', 'delete', 'mail1'),
      // No address class recorded (an older record): classified from the address.
      oldRecord(7, '2001:db8::5', 'add', 'mail1'),
      oldRecord(8, '192.168.1.20', 'add', 'web1'),
      newRecord(9, '95.173.130.10', undefined),
    ].join('\n') + '\n',
  );

  async function json(args: string[] = []): Promise<ReportSummary> {
    const result = await report(['--format', 'json', ...args], [file]);
    expect([result.code, result.stderr]).toEqual([0, '']);
    return JSON.parse(result.stdout) as ReportSummary;
  }

  it('agents from observer.name and, in older records, agent.name', async () => {
    const summary = await json();
    expect(summary.agents.rows.map(({ name, events, unique_ips, blocks }) => ({ name, events, unique_ips, blocks }))).toEqual([
      { name: 'mail1', events: 3, unique_ips: 2, blocks: 2 },
      { name: 'web1', events: 3, unique_ips: 2, blocks: 3 },
      { name: 'web2', events: 2, unique_ips: 2, blocks: 2 },
      { name: null, events: 1, unique_ips: 1, blocks: 1 },
    ]);
  });

  it('--agent keeps that agent’s records only, in both forms', async () => {
    expect((await json(['--agent', 'mail1'])).records.matched).toBe(3);
    expect((await json(['--agent', 'web1,web2'])).top_ips.rows.map((row) => row.ip)).toEqual(['95.173.130.7', '95.173.130.8']);
    expect((await json(['--agent', 'nobody'])).records.matched).toBe(0);
  });

  it('private, documentation and special addresses stay out of Top IPs, counted apart', async () => {
    const summary = await json();
    expect(summary.top_ips.rows.map((row) => row.ip).sort()).toEqual(['95.173.130.10', '95.173.130.7', '95.173.130.8', '95.173.130.9']);
    expect(summary.top_ips.special).toEqual([
      { address_class: 'private', events: 2, unique_ips: 2 },
      { address_class: 'documentation', events: 1, unique_ips: 1 },
    ]);
    expect(summary.unique_ips).toEqual({ value: 7, exact: true });
    const table = (await report(['--format', 'table'], [file])).stdout;
    expect(table).toContain('  Public only; apart: private 2, documentation 1\n');
  });

  it('the Blocks figure is the decision table’s block row (a delete is no block, whatever an older record says)', async () => {
    const summary = await json();
    expect(summary.blocks).toBe(8);
    expect(summary.decisions).toEqual([{ action: 'block', events: 8, reasons: [{ reason: 'RU is in deny list', events: 8 }] }]);
    const html = path.join(dir, 'report.html');
    expect((await report(['--format', 'html', '--output', html], [file])).code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<div class="figure"><b>8</b>Blocks<small>adds the policy blocked</small></div>');
    expect(page).toContain('<tr><td>block</td><td>all</td><td class="n">8</td></tr>');
    // In the table the share is of the decisions (8 of 8), not of the 9 records.
    expect((await report(['--format', 'table'], [file])).stdout).toMatch(/\n  block +8 +100\.0%\n/);
  });

  it('no ASN data and no failures are said in words, not shown as a "—" row and an empty table', async () => {
    const html = path.join(dir, 'plain.html');
    expect((await report(['--format', 'html', '--output', html], [file])).code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<h2>Networks</h2><p class="note">No record carries an AS number: no ASN database was configured (set databases.asn, e.g. GeoLite2-ASN).</p>');
    expect(page).not.toContain('<h2>Networks (top');
    expect(page).toContain('<h2>Failures (0)</h2><p class="note">No failures.</p>');
    expect(page).not.toMatch(/<tbody><\/tbody>/);
    const table = (await report(['--format', 'table'], [file])).stdout;
    expect(table).toContain('\nNetworks\n  No record carries an AS number: no ASN database was configured (set\n  databases.asn, e.g. GeoLite2-ASN).\n');
    expect(Math.max(...table.split('\n').map((line) => line.length))).toBeLessThanOrEqual(80);
    expect(table).toMatch(/\nAgents \(4 of 4\)\n/);
  });
});
