import type { Decision } from '../log/record.js';
import { CappedCounter, OTHER_KEY } from './capped-counter.js';
import { nameCountry } from '../geo/country-names.js';
import { GroupTable } from './group-table.js';
import { HistogramCounter } from './histogram.js';
import { isBlockEvent, isFailureEvent, type ReportEvent } from './report-event.js';
import type { ReportFilters } from './report-filters.js';
import type { AgentRow, AsnRow, CountryRow, DecisionRow, ReportSummary, SourceFile } from './report-summary.js';
import { TopIpTable } from './top-ips.js';
import { classifyReportedAddress } from './address-class.js';

/** Memory caps: each bounds one table whatever the number of records. */
export interface AggregateLimits {
  /** Distinct IPs counted exactly before Space-Saving takes over. */
  maxTrackedIps: number;
  /** Distinct (country, IP) and (AS, IP) pairs remembered for unique-IP counts. */
  maxGroupPairs: number;
  maxCountries: number;
  maxAsns: number;
  maxAgents: number;
  /** Distinct decision reasons and error codes. */
  maxReasons: number;
}

export const DEFAULT_LIMITS: AggregateLimits = {
  maxTrackedIps: 100_000,
  maxGroupPairs: 100_000,
  maxCountries: 1_000,
  maxAsns: 20_000,
  maxAgents: 10_000,
  maxReasons: 1_000,
};

const NO_COUNTRY = '';
const NO_ASN = '';
const NO_AGENT = '';
// Address classes are a short fixed list (special-ranges.ts); the cap only guards against forged records.
const MAX_ADDRESS_CLASSES = 64;
const DECISION_ORDER: Decision[] = ['block', 'allow', 'log'];
// Agents whose (agent, address) pairs a top-IP entry remembers: one bit each of an Int32.
const REMEMBERED_AGENTS = 31;

/** Folds matched events into running totals; `finishSummary` turns them into the report. */
export class SummaryAccumulator {
  read = 0;
  matched = 0;
  malformed = 0;
  oversized = 0;
  blocks = 0;
  failures = 0;
  firstMs: number | undefined;
  lastMs: number | undefined;
  readonly actions = { add: 0, delete: 0, none: 0 };
  readonly outcomes = new Map<string, number>();
  readonly ips: TopIpTable;
  readonly countries: GroupTable;
  readonly asns: GroupTable;
  readonly agents: GroupTable;
  /** Sources that are no attacker on the Internet (private, documentation, loopback…), by address class: kept out of Top IPs. */
  readonly specialIps: GroupTable;
  readonly decisions = new Map<Decision, { events: number; reasons: CappedCounter }>();
  readonly failureCodes: CappedCounter;
  readonly histogram = new HistogramCounter();
  private readonly asnKeys = new Map<number, string>();
  private readonly countryKeys = new Map<string, string>();
  private readonly agentBits = new Map<string, number>();

  constructor(private readonly limits: AggregateLimits = DEFAULT_LIMITS) {
    this.ips = new TopIpTable(limits.maxTrackedIps);
    this.countries = new GroupTable({ maxGroups: limits.maxCountries, maxPairs: limits.maxGroupPairs, otherKey: OTHER_KEY });
    this.asns = new GroupTable({ maxGroups: limits.maxAsns, maxPairs: limits.maxGroupPairs, otherKey: OTHER_KEY });
    this.agents = new GroupTable({ maxGroups: limits.maxAgents, maxPairs: limits.maxGroupPairs, otherKey: OTHER_KEY });
    this.specialIps = new GroupTable({ maxGroups: MAX_ADDRESS_CLASSES, maxPairs: limits.maxGroupPairs, otherKey: OTHER_KEY });
    this.failureCodes = new CappedCounter(limits.maxReasons);
  }

  /** Count one event that passed the filters. */
  addEvent(event: ReportEvent): void {
    this.matched += 1;
    const blocked = isBlockEvent(event);
    if (blocked) this.blocks += 1;
    if (this.firstMs === undefined || event.timeMs < this.firstMs) this.firstMs = event.timeMs;
    if (this.lastMs === undefined || event.timeMs > this.lastMs) this.lastMs = event.timeMs;
    this.actions[event.action ?? 'none'] += 1;
    this.outcomes.set(event.outcome, (this.outcomes.get(event.outcome) ?? 0) + 1);
    this.histogram.addEvent(event.timeMs, blocked);

    // A decision is what the policy said on an add. A delete removes whatever is there (records of
    // earlier versions still carry the policy's word), and a record that failed before the policy
    // ran, or was skipped, decided nothing: those are counted as actions and failures, not here.
    if (event.action === 'add' && event.decision !== undefined) {
      let decision = this.decisions.get(event.decision);
      if (decision === undefined) {
        decision = { events: 0, reasons: new CappedCounter(this.limits.maxReasons) };
        this.decisions.set(event.decision, decision);
      }
      decision.events += 1;
      decision.reasons.addOne(event.decisionReason ?? '(none)');
    }

    if (isFailureEvent(event)) {
      this.failures += 1;
      this.failureCodes.addOne(event.errorCode ?? (event.ip === undefined ? 'NO_SOURCE' : 'UNSPECIFIED'));
    }
    const agentKey = event.agentName ?? NO_AGENT;
    if (event.ip === undefined) {
      this.agents.addEvent(agentKey, undefined, undefined, blocked);
      return;
    }
    const countryKey = this.countryKey(event.countryCode);
    const asnKey = this.asnKey(event.asn);
    const addressClass = classifyReportedAddress(event as ReportEvent & { ip: string });
    if (addressClass !== 'public') {
      this.specialIps.addEvent(addressClass, undefined, event.ip, blocked);
      this.agents.addEvent(agentKey, undefined, event.ip, blocked);
      this.countries.addEvent(countryKey, event.countryName, event.ip, blocked, event.lat, event.lon);
      this.asns.addEvent(asnKey, event.organization, event.ip, blocked);
      return;
    }
    const entry = this.ips.addSighting({
      ip: event.ip,
      timeMs: event.timeMs,
      blocked,
      country: event.countryCode,
      asn: event.asn,
      organization: event.organization,
    });
    // The address's entry remembers the groups it was counted in, so a repeat (most records: the
    // same attackers come back) skips three lookups in sets of up to maxGroupPairs addresses, the
    // report's costliest step. An entry that is new, or replaced one evicted, remembers nothing
    // and asks the sets, so the counts are the same either way.
    const ips = this.ips;
    const agentBit = this.agentBit(agentKey);
    const countedAgents = ips.countedAgents[entry] as number;
    ips.countedAgents[entry] = countedAgents | agentBit;
    const agentCounted = (countedAgents & agentBit) !== 0;
    this.agents.addEvent(agentKey, undefined, event.ip, blocked, undefined, undefined, agentCounted);
    this.countries.addEvent(countryKey, event.countryName, event.ip, blocked, event.lat, event.lon, ips.countedCountry[entry] === countryKey);
    ips.countedCountry[entry] = countryKey;
    this.asns.addEvent(asnKey, event.organization, event.ip, blocked, undefined, undefined, ips.countedAsn[entry] === asnKey);
    ips.countedAsn[entry] = asnKey;
  }

  /** The bit of agent `key` in TopIpTable.countedAgents: one each for the first 31 agents, 0 (never remembered) for later ones. */
  private agentBit(key: string): number {
    let index = this.agentBits.get(key);
    if (index === undefined) {
      index = this.agentBits.size < REMEMBERED_AGENTS ? this.agentBits.size : -1;
      if (index >= 0) this.agentBits.set(key, index);
    }
    return index < 0 ? 0 : 1 << index;
  }

  /**
   * The country table's key of `code`, the same string each time: each record's parse makes its
   * own, and an entry of the top-IP table keeps the key it was counted under, which left one string
   * behind in the old generation at every eviction.
   */
  private countryKey(code: string | undefined): string {
    if (code === undefined) return NO_COUNTRY;
    const key = this.countryKeys.get(code);
    if (key !== undefined) return key;
    if (this.countryKeys.size < this.limits.maxCountries) this.countryKeys.set(code, code);
    return code;
  }

  /** The ASN table's key of `asn`, the same string each time (so its hash is computed once). */
  private asnKey(asn: number | undefined): string {
    if (asn === undefined) return NO_ASN;
    let key = this.asnKeys.get(asn);
    if (key === undefined) {
      key = String(asn);
      if (this.asnKeys.size < this.limits.maxAsns) this.asnKeys.set(asn, key);
    }
    return key;
  }
}

function roundShare(events: number, total: number): number {
  return total === 0 ? 0 : Math.round((events / total) * 10_000) / 10_000;
}

function toIso(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}

/** The report from an accumulator, the files it read and the filters applied; `top` cuts ASNs and IPs (0 = all). */
export function finishSummary(acc: SummaryAccumulator, sources: SourceFile[], filters: ReportFilters, now: Date, top: number): ReportSummary {
  const cut = <T>(rows: T[]): T[] => (top > 0 ? rows.slice(0, top) : rows);
  const countries: CountryRow[] = acc.countries.toSortedEntries().map(([key, stats]) => ({
    iso_code: key === NO_COUNTRY || key === OTHER_KEY ? null : key,
    name: key === NO_COUNTRY ? 'unknown' : key === OTHER_KEY ? OTHER_KEY : nameCountry(key) ?? stats.label ?? key,
    events: stats.events,
    unique_ips: stats.ips.size,
    blocks: stats.blocks,
    share: roundShare(stats.events, acc.matched),
    location: stats.located === 0 ? null : { lat: stats.latSum / stats.located, lon: stats.lonSum / stats.located },
  }));
  const asns: AsnRow[] = cut(acc.asns.toSortedEntries()).map(([key, stats]) => ({
    number: key === NO_ASN || key === OTHER_KEY ? null : Number(key),
    organization: key === OTHER_KEY ? OTHER_KEY : stats.label ?? null,
    events: stats.events,
    unique_ips: stats.ips.size,
    blocks: stats.blocks,
    share: roundShare(stats.events, acc.matched),
  }));
  const agents: AgentRow[] = cut(acc.agents.toSortedEntries()).map(([key, stats]) => ({
    name: key === NO_AGENT ? null : key,
    events: stats.events,
    unique_ips: stats.ips.size,
    blocks: stats.blocks,
    share: roundShare(stats.events, acc.matched),
  }));
  const special = acc.specialIps.toSortedEntries().map(([addressClass, stats]) => ({ address_class: addressClass, events: stats.events, unique_ips: stats.ips.size }));
  const decisions: DecisionRow[] = DECISION_ORDER.flatMap((action) => {
    const entry = acc.decisions.get(action);
    if (entry === undefined) return [];
    return [{ action, events: entry.events, reasons: entry.reasons.toSortedEntries().map(([reason, events]) => ({ reason, events })) }];
  });
  return {
    schema: 1,
    generated_at: now.toISOString(),
    sources,
    filters: {
      since: filters.since?.toISOString() ?? null,
      until: filters.until?.toISOString() ?? null,
      country: filters.countries,
      asn: filters.asns,
      decision: filters.decisions,
      rule: filters.rules,
      action: filters.actions,
      agent: filters.agents,
    },
    records: { read: acc.read, matched: acc.matched, malformed: acc.malformed, oversized: acc.oversized },
    time_span: { first: toIso(acc.firstMs), last: toIso(acc.lastMs) },
    actions: { ...acc.actions },
    outcomes: Object.fromEntries([...acc.outcomes].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
    blocks: acc.blocks,
    unique_ips: { value: acc.ips.distinctSeen + special.reduce((sum, row) => sum + row.unique_ips, 0), exact: acc.ips.exact && acc.specialIps.pairsExact },
    countries: { total: acc.countries.groups.size, unique_ips_exact: acc.countries.pairsExact, rows: countries },
    asns: { total: acc.asns.groups.size, unique_ips_exact: acc.asns.pairsExact, rows: asns },
    agents: { total: acc.agents.groups.size, unique_ips_exact: acc.agents.pairsExact, rows: agents },
    top_ips: {
      exact: acc.ips.exact,
      max_error: acc.ips.maxError(),
      capacity: acc.ips.capacity,
      rows: acc.ips.toTop(top).map((entry) => ({
        ip: entry.ip,
        events: entry.events,
        error: entry.error,
        country: entry.country ?? null,
        asn: entry.asn ?? null,
        organization: entry.organization ?? null,
        first_seen: new Date(entry.firstMs).toISOString(),
        last_seen: new Date(entry.lastMs).toISOString(),
        blocked: entry.blocked,
      })),
      special,
    },
    decisions,
    failures: { events: acc.failures, by_code: acc.failureCodes.toSortedEntries().map(([code, events]) => ({ code, events })) },
    histogram: acc.histogram.toHistogram(acc.firstMs, acc.lastMs),
  };
}
