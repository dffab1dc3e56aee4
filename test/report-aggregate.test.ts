import { describe, expect, it } from 'vitest';
import { finishSummary, SummaryAccumulator, type AggregateLimits } from '../src/report/aggregate.js';
import { HistogramCounter } from '../src/report/histogram.js';
import type { ReportEvent } from '../src/report/report-event.js';
import type { ReportFilters } from '../src/report/report-filters.js';
import { compareText } from '../src/report/capped-counter.js';
import { TopIpTable, type IpSighting } from '../src/report/top-ips.js';
import { createRandom } from './support/random.js';

// The report's arithmetic at unit level: a handful of events whose every figure is worked out by
// hand in the comments, so a wrong count, order, share or bucket shows as a wrong row.

const at = (hhmm: string): number => Date.parse(`2026-11-26T${hhmm}:00.000Z`);
const iso = (hhmm: string): string => `2026-11-26T${hhmm}:00.000Z`;
const NOW = new Date('2026-11-27T00:00:00Z');
const NO_FILTERS: ReportFilters = { countries: [], asns: [], decisions: [], rules: [], actions: [], agents: [] };

// Public addresses (special ones are counted apart from Top IPs), in the same order as text and as numbers.
const A = '95.173.130.1';
const B = '99.0.113.7';
const C = '81.2.69.5';
const D = '81.2.69.9';

// Seven events, added in this order (not time order: 10:30 first, 09:15 earliest, 12:45 latest).
const EVENTS: ReportEvent[] = [
  { timeMs: at('10:30'), action: 'add', outcome: 'success', ip: A, countryCode: 'DE', countryName: 'Deutschland', lat: 50, lon: 10, asn: 64500, organization: 'Org A', decision: 'block', decisionReason: 'DE denied' },
  { timeMs: at('09:15'), action: 'add', outcome: 'success', ip: A, countryCode: 'DE', countryName: 'Deutschland', lat: 52, lon: 14, asn: 64500, organization: 'Org A', decision: 'block', decisionReason: 'DE denied' },
  // A delete carries the policy's word of its add: neither a block nor a decision.
  { timeMs: at('12:45'), action: 'delete', outcome: 'success', ip: A, countryCode: 'DE', asn: 64500, organization: 'Org A', decision: 'block', decisionReason: 'DE denied' },
  // A failure without an error code; a country the name table does not know but the record names.
  { timeMs: at('11:00'), action: 'add', outcome: 'failure', ip: B, countryCode: 'XY', countryName: 'Nowhere', decision: 'allow' },
  // No action, no address: a failure counted as NO_SOURCE and in no table.
  { timeMs: at('10:00'), outcome: 'failure' },
  { timeMs: at('11:30'), action: 'add', outcome: 'skipped', ip: C, asn: 64501, decision: 'log', decisionReason: 'log only' },
  // A country nobody names: the code itself.
  { timeMs: at('09:45'), action: 'add', outcome: 'failure', ip: D, countryCode: 'QQ', asn: 64501, decision: 'block', decisionReason: 'QQ denied', errorCode: 'NFT_FAILED' },
];

function accumulate(events: ReportEvent[], limits?: AggregateLimits): SummaryAccumulator {
  const acc = new SummaryAccumulator(limits);
  for (const event of events) acc.addEvent(event);
  return acc;
}

describe('finishSummary over seven hand-counted events', () => {
  const sources = [{ path: '/var/ossec/logs/geo-response.log', bytes: 1234, gzip: false, records: 9, malformed: 2 }];
  const filters: ReportFilters = { ...NO_FILTERS, since: new Date('2026-11-26T00:00:00Z') };
  // Summarised inside each test, not when the file is collected: the mutation run switches its
  // mutants on per test.
  const summarise = () => {
    const acc = accumulate(EVENTS);
    acc.read = 9;
    acc.malformed = 2;
    acc.oversized = 1;
    return finishSummary(acc, sources, filters, NOW, 0);
  };
  // 7 events: shares 3/7 = 0.4286, 2/7 = 0.2857, 1/7 = 0.1429.

  it('totals, actions, outcomes (sorted by name), time span and filters', () => {
    const summary = summarise();
    expect(summary).toMatchObject({
      schema: 1,
      generated_at: '2026-11-27T00:00:00.000Z',
      sources,
      filters: { since: '2026-11-26T00:00:00.000Z', until: null, country: [], asn: [], decision: [], rule: [], action: [] },
      records: { read: 9, matched: 7, malformed: 2, oversized: 1 },
      time_span: { first: iso('09:15'), last: iso('12:45') },
      actions: { add: 5, delete: 1, none: 1 },
      blocks: 3, // the two adds of A and D's add: a block decided, even though D's firewall failed
      unique_ips: { value: 4, exact: true },
    });
    expect(Object.entries(summary.outcomes)).toEqual([['failure', 3], ['skipped', 1], ['success', 3]]);
  });

  it('countries: by events then code; the name table first, then the record\'s name, then the code; the mean location of located events', () => {
    const summary = summarise();
    expect(summary.countries).toEqual({
      total: 4,
      unique_ips_exact: true,
      rows: [
        { iso_code: 'DE', name: 'Germany', events: 3, unique_ips: 1, blocks: 2, share: 0.4286, location: { lat: 51, lon: 12 } },
        { iso_code: null, name: 'unknown', events: 1, unique_ips: 1, blocks: 0, share: 0.1429, location: null },
        { iso_code: 'QQ', name: 'QQ', events: 1, unique_ips: 1, blocks: 1, share: 0.1429, location: null },
        { iso_code: 'XY', name: 'Nowhere', events: 1, unique_ips: 1, blocks: 0, share: 0.1429, location: null },
      ],
    });
  });

  it('networks: by events; no AS is a row of its own with no number', () => {
    const summary = summarise();
    expect(summary.asns).toEqual({
      total: 3,
      unique_ips_exact: true,
      rows: [
        { number: 64500, organization: 'Org A', events: 3, unique_ips: 1, blocks: 2, share: 0.4286 },
        { number: 64501, organization: null, events: 2, unique_ips: 2, blocks: 1, share: 0.2857 },
        { number: null, organization: null, events: 1, unique_ips: 1, blocks: 0, share: 0.1429 },
      ],
    });
  });

  it('top IPs: by events then address, first and last seen whatever the order of arrival', () => {
    const summary = summarise();
    expect(summary.top_ips).toEqual({
      exact: true,
      max_error: 0,
      capacity: 100_000,
      rows: [
        { ip: A, events: 3, error: 0, country: 'DE', asn: 64500, organization: 'Org A', first_seen: iso('09:15'), last_seen: iso('12:45'), blocked: true },
        { ip: C, events: 1, error: 0, country: null, asn: 64501, organization: null, first_seen: iso('11:30'), last_seen: iso('11:30'), blocked: false },
        { ip: D, events: 1, error: 0, country: 'QQ', asn: 64501, organization: null, first_seen: iso('09:45'), last_seen: iso('09:45'), blocked: true },
        { ip: B, events: 1, error: 0, country: 'XY', asn: null, organization: null, first_seen: iso('11:00'), last_seen: iso('11:00'), blocked: false },
      ],
      special: [],
    });
  });

  it('decisions of adds only, in block/allow/log order; failures by code, a missing code named for why', () => {
    const summary = summarise();
    expect(summary.decisions).toEqual([
      { action: 'block', events: 3, reasons: [{ reason: 'DE denied', events: 2 }, { reason: 'QQ denied', events: 1 }] },
      { action: 'allow', events: 1, reasons: [{ reason: '(none)', events: 1 }] },
      { action: 'log', events: 1, reasons: [{ reason: 'log only', events: 1 }] },
    ]);
    expect(summary.failures).toEqual({ events: 3, by_code: [{ code: 'NFT_FAILED', events: 1 }, { code: 'NO_SOURCE', events: 1 }, { code: 'UNSPECIFIED', events: 1 }] });
  });

  it('histogram: per hour from 09:00 to 12:00, blocks only for block adds', () => {
    const summary = summarise();
    expect(summary.histogram).toEqual({
      interval: 'hour',
      interval_seconds: 3600,
      buckets: [
        { start: iso('09:00'), events: 2, blocks: 2 }, // 09:15 A, 09:45 D
        { start: iso('10:00'), events: 2, blocks: 1 }, // 10:30 A, 10:00 no source
        { start: iso('11:00'), events: 2, blocks: 0 }, // 11:00 B (allow), 11:30 C (log)
        { start: iso('12:00'), events: 1, blocks: 0 }, // 12:45 A's delete
      ],
    });
  });

  it('--top 2 cuts networks and IPs, nothing else', () => {
    const cut = finishSummary(accumulate(EVENTS), sources, NO_FILTERS, NOW, 2);
    expect(cut.asns.rows.map((row) => row.number)).toEqual([64500, 64501]);
    expect(cut.asns.total).toBe(3);
    expect(cut.top_ips.rows.map((row) => row.ip)).toEqual([A, C]);
    expect(cut.countries.rows).toHaveLength(4);
    expect(cut.filters).toMatchObject({ since: null, until: null });
  });
});

describe('finishSummary edges', () => {
  it('no events: empty tables, no time span, an empty hourly histogram', () => {
    const until = new Date('2026-11-27T00:00:00Z');
    const summary = finishSummary(new SummaryAccumulator(), [], { ...NO_FILTERS, until }, NOW, 0);
    expect(summary).toMatchObject({
      filters: { since: null, until: '2026-11-27T00:00:00.000Z' },
      records: { read: 0, matched: 0, malformed: 0, oversized: 0 },
      time_span: { first: null, last: null },
      actions: { add: 0, delete: 0, none: 0 },
      outcomes: {},
      blocks: 0,
      unique_ips: { value: 0, exact: true },
      countries: { total: 0, rows: [] },
      asns: { total: 0, rows: [] },
      top_ips: { exact: true, max_error: 0, rows: [] },
      decisions: [],
      failures: { events: 0, by_code: [] },
      histogram: { interval: 'hour', interval_seconds: 3600, buckets: [] },
    });
  });

  it('a failure without a code: NO_SOURCE when it had no address, UNSPECIFIED when it had one', () => {
    const events: ReportEvent[] = [
      { timeMs: at('10:00'), outcome: 'failure' },
      { timeMs: at('10:01'), outcome: 'failure' },
      { timeMs: at('10:02'), action: 'add', outcome: 'failure', ip: A },
    ];
    expect(finishSummary(accumulate(events), [], NO_FILTERS, NOW, 0).failures).toEqual({ events: 3, by_code: [{ code: 'NO_SOURCE', events: 2 }, { code: 'UNSPECIFIED', events: 1 }] });
  });

  it('past the caps: one country and one AS, then (other); one reason, then (other); IPs by Space-Saving', () => {
    const limits: AggregateLimits = { maxTrackedIps: 1, maxGroupPairs: 100, maxCountries: 1, maxAsns: 1, maxReasons: 1, maxAgents: 1 };
    const events: ReportEvent[] = [
      { timeMs: at('10:00'), action: 'add', outcome: 'success', ip: A, countryCode: 'DE', asn: 1, organization: 'One', decision: 'block', decisionReason: 'first' },
      { timeMs: at('10:01'), action: 'add', outcome: 'success', ip: B, countryCode: 'FR', asn: 2, organization: 'Two', decision: 'block', decisionReason: 'second' },
      { timeMs: at('10:02'), action: 'add', outcome: 'success', ip: B, countryCode: 'FR', asn: 2, organization: 'Two', decision: 'block', decisionReason: 'second' },
    ];
    const summary = finishSummary(accumulate(events, limits), [], NO_FILTERS, NOW, 0);
    expect(summary.countries.rows.map((row) => [row.iso_code, row.name, row.events])).toEqual([[null, '(other)', 2], ['DE', 'Germany', 1]]);
    expect(summary.asns.rows.map((row) => [row.number, row.organization, row.events])).toEqual([[null, '(other)', 2], [1, 'One', 1]]);
    expect(summary.decisions).toEqual([{ action: 'block', events: 3, reasons: [{ reason: '(other)', events: 2 }, { reason: 'first', events: 1 }] }]);
    // Capacity 1: B replaces A (count 1, so B's 2 events may be 1 too many), then B's second event.
    expect(summary.top_ips).toMatchObject({ exact: false, max_error: 1, capacity: 1, rows: [{ ip: B, events: 3, error: 1 }] });
    expect(summary.unique_ips).toEqual({ value: 2, exact: false });
  });
});

describe('TopIpTable', () => {
  const sight = (ip: string, timeMs = 0, blocked = false): IpSighting => ({ ip, timeMs, blocked, country: undefined, asn: undefined, organization: undefined });
  const add = (table: TopIpTable, ip: string, times: number) => {
    for (let i = 0; i < times; i += 1) table.addSighting(sight(ip));
  };
  const counts = (table: TopIpTable) => table.toTop(0).map((entry) => `${entry.ip}:${entry.events}-${entry.error}`);

  it('first and last seen are the extremes, in any order of arrival; blocked once is blocked', () => {
    const table = new TopIpTable(10);
    for (const [timeMs, blocked] of [[500, false], [200, false], [900, true], [700, false]] as const) table.addSighting(sight(A, timeMs, blocked));
    table.addSighting(sight(B, 100));
    table.addSighting(sight(B, 100));
    expect(table.toTop(0).map(({ ip, events, firstMs, lastMs, blocked }) => ({ ip, events, firstMs, lastMs, blocked }))).toEqual([
      { ip: A, events: 4, firstMs: 200, lastMs: 900, blocked: true },
      { ip: B, events: 2, firstMs: 100, lastMs: 100, blocked: false },
    ]);
  });

  it('toTop: by events, ties by address; a limit keeps the first N', () => {
    const table = new TopIpTable(10);
    add(table, '10.0.0.4', 1);
    add(table, '10.0.0.3', 3);
    add(table, '10.0.0.1', 3);
    add(table, '10.0.0.2', 2);
    expect(counts(table)).toEqual(['10.0.0.1:3-0', '10.0.0.3:3-0', '10.0.0.2:2-0', '10.0.0.4:1-0']);
    expect(table.toTop(2).map((entry) => entry.ip)).toEqual(['10.0.0.1', '10.0.0.3']);
    expect([table.exact, table.maxError(), table.distinctSeen]).toEqual([true, 0, 4]);
  });

  it.each([
    // Three IPs fill the table in each order, so the smallest (count 1) is the root, the left or the right of the heap.
    ['smallest first', [['s', 1], ['m', 3], ['l', 5]]],
    ['smallest left', [['l', 5], ['s', 1], ['m', 3]]],
    ['smallest right', [['l', 5], ['m', 3], ['s', 1]]],
  ] as const)('Space-Saving, capacity 3, %s: the smallest is replaced each time', (_title, fills) => {
    const table = new TopIpTable(3);
    for (const [ip, times] of fills) add(table, ip, times);
    // n replaces s (count 1): n has 2 events, 1 of them possibly s's.
    add(table, 'n', 1);
    expect(counts(table)).toEqual(['l:5-0', 'm:3-0', 'n:2-1']);
    // o replaces n (2): 3 events, error 2; now m and o tie at 3.
    add(table, 'o', 1);
    expect(counts(table)).toEqual(['l:5-0', 'm:3-0', 'o:3-2']);
    expect([table.exact, table.maxError(), table.distinctSeen]).toEqual([false, 2, 4]);
  });

  it('Space-Saving: an entry counted again moves down the heap, so it is not the next replaced', () => {
    const table = new TopIpTable(2);
    add(table, 'a', 2);
    add(table, 'b', 3);
    add(table, 'c', 1); // replaces a (2): c 3, error 2
    add(table, 'c', 3); // c 6: b (3) is now the smallest
    add(table, 'd', 1); // replaces b: d 4, error 3
    expect(counts(table)).toEqual(['c:6-2', 'd:4-3']);
    add(table, 'd', 3); // d 7: c is the smallest
    add(table, 'e', 1); // replaces c: e 7, error 6
    expect(counts(table)).toEqual(['d:7-3', 'e:7-6']);
    expect(table.maxError()).toBe(6);
  });

  it('Space-Saving, capacity 4: a root replaced twice sinks past both levels', () => {
    const table = new TopIpTable(4);
    add(table, 'a', 1);
    add(table, 'b', 2);
    add(table, 'c', 4);
    add(table, 'd', 3);
    add(table, 'e', 1); // replaces a (1): e 2
    add(table, 'f', 1); // replaces b or e (2): the heap holds both at 2; b was the heap's after a
    add(table, 'g', 1); // replaces the other 2: 3
    expect(counts(table).sort()).toEqual(['c:4-0', 'd:3-0', 'f:3-2', 'g:3-2']);
    add(table, 'h', 1); // the smallest is 3 (d, f or g), never c
    expect(counts(table).filter((entry) => entry.startsWith('c:'))).toEqual(['c:4-0']);
    expect(table.toTop(0).map((entry) => entry.events).sort()).toEqual([3, 3, 4, 4]);
  });
  it.each([
    // Each fill leaves three IPs tied at 1: d replaces c, the one toTop lists last, whatever the order of arrival.
    ['a b c'],
    ['c b a'],
    ['b c a'],
  ])('Space-Saving, capacity 3, filled with %s: of the tied smallest, the address listed last is replaced', (fill) => {
    const table = new TopIpTable(3);
    for (const ip of fill.split(' ')) add(table, ip, 1);
    add(table, 'd', 1);
    expect(counts(table)).toEqual(['d:2-1', 'a:1-0', 'b:1-0']);
  });

  it('Space-Saving equals a naive version that scans the whole table for the entry to replace (200 random streams)', () => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const random = createRandom(seed);
      const capacity = 1 + Math.floor(random() * 6);
      const addresses = 2 + Math.floor(random() * 12);
      const table = new TopIpTable(capacity);
      const naive = new Map<string, { events: number; error: number }>();
      for (let n = Math.floor(random() * 60); n > 0; n -= 1) {
        const ip = `10.0.0.${Math.floor(random() * addresses)}`;
        table.addSighting(sight(ip));
        const seen = naive.get(ip);
        if (seen !== undefined) seen.events += 1;
        else if (naive.size < capacity) naive.set(ip, { events: 1, error: 0 });
        else {
          const replaced = [...naive].reduce((min, entry) => (entry[1].events < min[1].events || (entry[1].events === min[1].events && compareText(entry[0], min[0]) > 0) ? entry : min));
          naive.delete(replaced[0]);
          naive.set(ip, { events: replaced[1].events + 1, error: replaced[1].events });
        }
      }
      const expected = [...naive].sort((a, b) => b[1].events - a[1].events || compareText(a[0], b[0])).map(([ip, { events, error }]) => `${ip}:${events}-${error}`);
      expect(counts(table), `seed ${seed}`).toEqual(expected);
    }
  });
});

describe('HistogramCounter', () => {
  const DAY = 86_400_000;
  const HOUR = 3_600_000;
  const T0 = Date.parse('2026-01-01T00:00:00Z');
  const day = (n: number) => new Date(T0 + n * DAY).toISOString();

  it('hourly, zero-filled, blocks counted apart', () => {
    const histogram = new HistogramCounter();
    histogram.addEvent(T0 + 15 * 60_000, true);
    histogram.addEvent(T0 + 45 * 60_000, false);
    histogram.addEvent(T0 + 2 * HOUR + 5 * 60_000, false);
    expect(histogram.toHistogram(T0 + 15 * 60_000, T0 + 2 * HOUR + 5 * 60_000)).toEqual({
      interval: 'hour',
      interval_seconds: 3600,
      buckets: [
        { start: '2026-01-01T00:00:00.000Z', events: 2, blocks: 1 },
        { start: '2026-01-01T01:00:00.000Z', events: 0, blocks: 0 },
        { start: '2026-01-01T02:00:00.000Z', events: 1, blocks: 0 },
      ],
    });
  });

  it.each([
    ['exactly 14 days: per hour', 14 * DAY, 'hour', 337],
    ['14 days and 1 ms: per day', 14 * DAY + 1, 'day', 15],
    ['exactly 400 days: per day', 400 * DAY, 'day', 401],
    ['400 days and 1 ms: per week', 400 * DAY + 1, 'week', 58],
  ] as const)('a span of %s', (_title, span, interval, buckets) => {
    const histogram = new HistogramCounter();
    histogram.addEvent(T0, true);
    histogram.addEvent(T0 + span, false);
    const result = histogram.toHistogram(T0, T0 + span);
    expect([result.interval, result.interval_seconds, result.buckets.length]).toEqual([interval, { hour: 3600, day: 86_400, week: 604_800 }[interval], buckets]);
    expect(result.buckets.reduce((sum, bucket) => sum + bucket.events, 0)).toBe(2);
  });

  it('per day: the hours of one day add up', () => {
    const histogram = new HistogramCounter();
    histogram.addEvent(T0 + 1 * HOUR, true);
    histogram.addEvent(T0 + 5 * HOUR, true);
    histogram.addEvent(T0 + 23 * HOUR, false);
    histogram.addEvent(T0 + 20 * DAY, false);
    const result = histogram.toHistogram(T0 + HOUR, T0 + 20 * DAY);
    expect(result.interval).toBe('day');
    expect(result.buckets[0]).toEqual({ start: day(0), events: 3, blocks: 2 });
    expect(result.buckets.slice(1, 20).every((bucket) => bucket.events === 0)).toBe(true);
    expect(result.buckets[20]).toEqual({ start: day(20), events: 1, blocks: 0 });
    expect(result.buckets).toHaveLength(21);
  });

  it('per week: weeks start on the epoch\'s weekday (Thursday), UTC', () => {
    const histogram = new HistogramCounter();
    histogram.addEvent(T0, false); // 2026-01-01 is a Thursday
    histogram.addEvent(T0 + 500 * DAY, false);
    const result = histogram.toHistogram(T0, T0 + 500 * DAY);
    expect(result.buckets[0]).toEqual({ start: '2026-01-01T00:00:00.000Z', events: 1, blocks: 0 });
    expect(result.buckets[1]!.start).toBe('2026-01-08T00:00:00.000Z');
  });

  it('a missing end: nothing to draw', () => {
    const histogram = new HistogramCounter();
    histogram.addEvent(T0, false);
    expect(histogram.toHistogram(T0, undefined)).toEqual({ interval: 'hour', interval_seconds: 3600, buckets: [] });
    expect(histogram.toHistogram(undefined, T0)).toEqual({ interval: 'hour', interval_seconds: 3600, buckets: [] });
  });

  it.each([
    // 50,000 distinct hours are kept; the next one folds them into days for good.
    [50_000, 'hour'],
    [50_001, 'day'],
  ] as const)('%i distinct hours: a one-day window is shown per %s', (hours, interval) => {
    const histogram = new HistogramCounter();
    for (let hour = 0; hour < hours; hour += 1) histogram.addEvent(T0 + hour * HOUR, hour === 24);
    histogram.addEvent(T0 + 24 * HOUR + 1, false); // an hour seen before: no new key
    const result = histogram.toHistogram(T0 + DAY, T0 + DAY + 2 * HOUR);
    expect(result.interval).toBe(interval);
    expect(result.buckets[0]).toEqual(
      interval === 'hour' ? { start: day(1), events: 2, blocks: 1 } : { start: day(1), events: 25, blocks: 1 },
    );
  });

  it('one event a day for 50,001 days (a forged or broken clock): folded into days once, never again, each in its own week', () => {
    const histogram = new HistogramCounter();
    const DAYS = 50_001;
    // The 50,001st distinct hour folds the hours into 50,000 days; the last day is then the 50,001st distinct day.
    for (let n = 0; n < DAYS; n += 1) histogram.addEvent(T0 + n * DAY + 5 * HOUR, n % 2 === 0);
    const result = histogram.toHistogram(T0 + 5 * HOUR, T0 + (DAYS - 1) * DAY + 5 * HOUR);
    expect(result.interval).toBe('week');
    // Recounted naively: the events and blocks whose day falls in each week.
    const WEEK = 7 * DAY;
    const recount = result.buckets.map((bucket) => {
      const from = Math.round((Date.parse(bucket.start) - T0) / DAY);
      let events = 0;
      let blocks = 0;
      for (let n = Math.max(from, 0); n < Math.min(from + 7, DAYS); n += 1) {
        events += 1;
        if (n % 2 === 0) blocks += 1;
      }
      return { start: bucket.start, events, blocks };
    });
    expect(result.buckets).toEqual(recount);
    expect(result.buckets).toHaveLength(Math.floor((T0 + (DAYS - 1) * DAY) / WEEK) - Math.floor(T0 / WEEK) + 1);
    expect(result.buckets.reduce((sum, bucket) => sum + bucket.events, 0)).toBe(DAYS);
  });
});
