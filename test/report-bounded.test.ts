import { describe, expect, it } from 'vitest';
import { CappedCounter } from '../src/report/capped-counter.js';
import { HistogramCounter } from '../src/report/histogram.js';
import { LineSplitter } from '../src/report/line-splitter.js';
import { TopIpTable } from '../src/report/top-ips.js';
import { SummaryAccumulator, DEFAULT_LIMITS } from '../src/report/aggregate.js';
import { parseReportEvent } from '../src/report/parse-record.js';
import { makeGeoRecords } from './support/make-geo-log.js';
import { createRandom } from './support/random.js';

describe('TopIpTable: exact under the cap, Space-Saving guarantees above it', () => {
  it('keeps exact counts while distinct IPs fit', () => {
    const table = new TopIpTable(5);
    for (const ip of ['a', 'b', 'a', 'c', 'a', 'b']) table.addSighting({ ip, timeMs: 0, blocked: false, country: undefined, asn: undefined, organization: undefined });
    expect(table.exact).toBe(true);
    expect(table.toTop(0).map((entry) => [entry.ip, entry.events, entry.error])).toEqual([['a', 3, 0], ['b', 2, 0], ['c', 1, 0]]);
    expect(table.distinctSeen).toBe(3);
  });

  it.each([1, 2, 3])('seed %i: heavy hitters are kept and every count is within its error of the truth', (seed) => {
    const random = createRandom(seed);
    const capacity = 50;
    const table = new TopIpTable(capacity);
    const truth = new Map<string, number>();
    const total = 20_000;
    for (let index = 0; index < total; index += 1) {
      // 5 heavy hitters with a quarter of the traffic, then a long tail of 5,000 IPs.
      const ip = random() < 0.25 ? `heavy-${Math.floor(random() * 5)}` : `tail-${Math.floor(random() * 5000)}`;
      truth.set(ip, (truth.get(ip) ?? 0) + 1);
      table.addSighting({ ip, timeMs: index, blocked: false, country: undefined, asn: undefined, organization: undefined });
    }
    expect(table.exact).toBe(false);
    expect(table.distinctSeen).toBe(capacity + 1);
    const top = table.toTop(0);
    expect(top).toHaveLength(capacity);
    for (const [ip, count] of truth) if (count > total / capacity) expect(top.some((entry) => entry.ip === ip), ip).toBe(true);
    for (const entry of top) {
      const real = truth.get(entry.ip)!;
      expect(entry.events).toBeGreaterThanOrEqual(real);
      expect(entry.events - entry.error).toBeLessThanOrEqual(real);
    }
    expect(top.slice(0, 5).map((entry) => entry.ip).sort()).toEqual(['heavy-0', 'heavy-1', 'heavy-2', 'heavy-3', 'heavy-4']);
  });
});

describe('caps on tables built from log text', () => {
  it('CappedCounter folds keys past the cap into (other)', () => {
    const counter = new CappedCounter(2);
    for (const key of ['x', 'y', 'z', 'x', 'w']) counter.addOne(key);
    expect(counter.toSortedEntries()).toEqual([['(other)', 2], ['x', 2], ['y', 1]]);
  });

  it('unique-IP counts per country become lower bounds past the pair cap', () => {
    const acc = new SummaryAccumulator({ ...DEFAULT_LIMITS, maxTrackedIps: 10, maxGroupPairs: 10 });
    const records = makeGeoRecords({ seed: 3, count: 500, start: new Date('2026-11-20T00:00:00Z'), end: new Date('2026-11-21T00:00:00Z'), distinctIps: 200 });
    for (const record of records) acc.addEvent(parseReportEvent(JSON.stringify(record))!);
    expect(acc.countries.pairsExact).toBe(false);
    expect([...acc.countries.groups.values()].reduce((sum, group) => sum + group.ips.size, 0)).toBe(10);
    expect(acc.ips.exact).toBe(false);
  });
});

describe('LineSplitter', () => {
  it.each([
    { title: 'lines across chunks', chunks: ['ab', 'c\nde', 'f\n'], lines: ['abc', 'def'], oversized: 0 },
    { title: 'last line without newline', chunks: ['abc\nxyz'], lines: ['abc', 'xyz'], oversized: 0 },
    { title: 'line exactly at the limit', chunks: ['12345678\n'], lines: ['12345678'], oversized: 0 },
    { title: 'line over the limit, split across chunks', chunks: ['ok\n1234', '56789', '0\nok2\n'], lines: ['ok', 'ok2'], oversized: 1 },
    { title: 'unterminated oversized tail', chunks: ['ok\n123456789'], lines: ['ok'], oversized: 1 },
  ])('$title', ({ chunks, lines, oversized }) => {
    const seen: string[] = [];
    let dropped = 0;
    const splitter = new LineSplitter(8, { onLine: (line) => seen.push(line.toString()), onOversized: () => (dropped += 1) });
    for (const chunk of chunks) splitter.push(Buffer.from(chunk));
    splitter.end();
    expect(seen).toEqual(lines);
    expect(dropped).toBe(oversized);
  });
});

describe('HistogramCounter interval by span', () => {
  const hour = 3_600_000;
  const start = Date.parse('2026-11-01T00:00:00Z');
  it.each([
    { title: '1 day → hourly', spanMs: 24 * hour, interval: 'hour', buckets: 25 },
    { title: '14 days → hourly', spanMs: 14 * 24 * hour, interval: 'hour', buckets: 337 },
    { title: '30 days → daily', spanMs: 30 * 24 * hour, interval: 'day', buckets: 31 },
    { title: '3 years → weekly', spanMs: 3 * 365 * 24 * hour, interval: 'week', buckets: 157 },
  ])('$title', ({ spanMs, interval, buckets }) => {
    const histogram = new HistogramCounter();
    histogram.addEvent(start, true);
    histogram.addEvent(start + spanMs, false);
    const result = histogram.toHistogram(start, start + spanMs);
    expect(result.interval).toBe(interval);
    expect(result.buckets).toHaveLength(buckets);
    expect(result.buckets.reduce((sum, bucket) => sum + bucket.events, 0)).toBe(2);
    expect(result.buckets[0]!.blocks).toBe(1);
  });
});

describe('unique addresses per group while top IPs evict', () => {
  // The accumulator skips a group's address set when the address's top-IP entry remembers the
  // group; entries come and go under Space-Saving, so the counts must still be those of plain sets
  // that keep the first maxGroupPairs distinct (group, address) pairs of each table.
  it.each([
    { maxTrackedIps: 20, maxGroupPairs: 100_000 },
    { maxTrackedIps: 20, maxGroupPairs: 150 },
    { maxTrackedIps: 100_000, maxGroupPairs: 150 },
  ])('top IPs capped at $maxTrackedIps, pairs at $maxGroupPairs', ({ maxTrackedIps, maxGroupPairs }) => {
    const records = makeGeoRecords({ seed: 5, count: 4000, start: new Date('2026-11-20T00:00:00Z'), end: new Date('2026-11-21T00:00:00Z'), distinctIps: 400 });
    const events = records.map((record) => parseReportEvent(JSON.stringify(record))!);
    const acc = new SummaryAccumulator({ ...DEFAULT_LIMITS, maxTrackedIps, maxGroupPairs });
    for (const event of events) acc.addEvent(event);
    expect(acc.ips.exact).toBe(maxTrackedIps > 400);

    const expected = (keyOf: (event: (typeof events)[number]) => string) => {
      const pairs = new Set<string>();
      const perGroup = new Map<string, number>();
      for (const event of events) {
        if (event.ip === undefined) continue;
        const key = keyOf(event);
        const pair = `${key}\u0000${event.ip}`;
        if (pairs.has(pair) || pairs.size >= maxGroupPairs) continue;
        pairs.add(pair);
        perGroup.set(key, (perGroup.get(key) ?? 0) + 1);
      }
      return Object.fromEntries([...perGroup].sort());
    };
    const actual = (table: typeof acc.countries) => Object.fromEntries([...table.groups].map(([key, stats]) => [key, stats.ips.size]).filter(([, size]) => size !== 0).sort());
    expect(actual(acc.countries)).toEqual(expected((event) => event.countryCode ?? ''));
    expect(actual(acc.asns)).toEqual(expected((event) => (event.asn === undefined ? '' : String(event.asn))));
    expect(actual(acc.agents)).toEqual(expected((event) => event.agentName ?? ''));
  });
});

describe('TopIpTable: its hash table through many evictions', () => {
  it('equals a naive Space-Saving over 20,000 sightings of 300 addresses, capacity 50', () => {
    const random = createRandom(21);
    const capacity = 50;
    const table = new TopIpTable(capacity);
    const naive = new Map<string, { events: number; error: number }>();
    for (let index = 0; index < 20_000; index += 1) {
      // Addresses that differ in one character, as real ones do, to make hash neighbours; and text
      // a forged record may carry: longer than any address, beyond Latin-1, Latin-1 beyond ASCII.
      const odd = ['ä.1', 'ä.2', 'адрес', 'адрес2', `${'x'.repeat(50)}1`, `${'x'.repeat(50)}2`, '2001:db8:ffff:ffff:ffff:ffff:255.255.255.255'];
      const ip = random() < 0.05 ? (odd[Math.floor(random() * odd.length)] as string) : `203.0.${Math.floor(random() * 3)}.${Math.floor(random() ** 2 * 100)}`;
      table.addSighting({ ip, timeMs: index, blocked: false, country: undefined, asn: undefined, organization: undefined });
      const seen = naive.get(ip);
      if (seen !== undefined) seen.events += 1;
      else if (naive.size < capacity) naive.set(ip, { events: 1, error: 0 });
      else {
        const replaced = [...naive].reduce((min, entry) => (entry[1].events < min[1].events || (entry[1].events === min[1].events && entry[0] > min[0]) ? entry : min));
        naive.delete(replaced[0]);
        naive.set(ip, { events: replaced[1].events + 1, error: replaced[1].events });
      }
    }
    const expected = [...naive].sort((a, b) => b[1].events - a[1].events || (a[0] < b[0] ? -1 : 1)).map(([ip, { events, error }]) => `${ip}:${events}-${error}`);
    expect(table.toTop(0).map((entry) => `${entry.ip}:${entry.events}-${entry.error}`)).toEqual(expected);
    expect(table.exact).toBe(false);
  });
});
