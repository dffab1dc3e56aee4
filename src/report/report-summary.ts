import type { Decision } from '../log/record.js';

/**
 * The finished report: exactly the documented JSON shape (`--format json`,
 * `schema: 1`), so every renderer reads the same figures. Snake_case keys
 * because the JSON is the stable interface; timestamps are ISO 8601 UTC.
 * `countries` lists every country (the map needs them all); `asns` and
 * `top_ips` hold the `--top` largest. Renderers may cut further for display.
 */
export interface ReportSummary {
  schema: 1;
  generated_at: string;
  sources: SourceFile[];
  filters: FiltersJson;
  records: {
    /** Valid records read (before filters). */
    read: number;
    /** Records that passed the filters; every figure below counts these. */
    matched: number;
    /** Lines skipped: not JSON, missing required fields, or longer than the line limit. */
    malformed: number;
    /** Of the malformed, lines over the line limit (skipped without buffering them). */
    oversized: number;
  };
  time_span: { first: string | null; last: string | null };
  actions: { add: number; delete: number; none: number };
  outcomes: Record<string, number>;
  blocks: number;
  unique_ips: Figure;
  countries: GroupTable<CountryRow>;
  asns: GroupTable<AsnRow>;
  /** Per OSSEC/Wazuh agent (`observer.name`, or `agent.name` in older records); `name` null for records without one. */
  agents: GroupTable<AgentRow>;
  top_ips: TopIps;
  decisions: DecisionRow[];
  failures: { events: number; by_code: Array<{ code: string; events: number }> };
  histogram: Histogram;
}

export interface FiltersJson {
  since: string | null;
  until: string | null;
  country: string[];
  asn: number[];
  decision: Decision[];
  rule: string[];
  action: string[];
  agent: string[];
}

/** A count that is exact, or a lower bound once a memory cap was reached ("≥ value"). */
export interface Figure {
  value: number;
  exact: boolean;
}

export interface SourceFile {
  path: string;
  bytes: number;
  gzip: boolean;
  records: number;
  malformed: number;
}

export interface GroupRow {
  events: number;
  unique_ips: number;
  blocks: number;
  /** events / records.matched, rounded to 4 decimals. */
  share: number;
}

export interface CountryRow extends GroupRow {
  /** Null for records with a source but no country (private ranges, lookup failures). */
  iso_code: string | null;
  name: string;
  /** Mean of the records' coordinates, used to place small countries the map has no shape for. */
  location: { lat: number; lon: number } | null;
}

export interface AsnRow extends GroupRow {
  number: number | null;
  organization: string | null;
}

export interface GroupTable<Row> {
  /** Distinct groups (including those folded into `other`). */
  total: number;
  /** False once the distinct (group, IP) pairs passed the cap: unique_ips are then lower bounds. */
  unique_ips_exact: boolean;
  rows: Row[];
}

export interface AgentRow extends GroupRow {
  name: string | null;
}

export interface TopIps {
  /** True while every IP seen fits the table; false after Space-Saving evictions began. */
  exact: boolean;
  /** Largest possible overcount of any listed `events` (0 when exact). */
  max_error: number;
  /** Distinct IPs the table can hold. */
  capacity: number;
  /** Public addresses only: private, documentation and other special-purpose addresses are counted in `special`. */
  rows: IpRow[];
  /** Events from special-purpose addresses (never an attacker on the Internet), per address class. */
  special: Array<{ address_class: string; events: number; unique_ips: number }>;
}

export interface IpRow {
  ip: string;
  events: number;
  /** Possible overcount of `events` (Space-Saving); 0 when exact. */
  error: number;
  country: string | null;
  asn: number | null;
  organization: string | null;
  first_seen: string;
  last_seen: string;
  blocked: boolean;
}

export interface DecisionRow {
  /** The policy's decision on an add; deletes, and records that failed before the policy ran, have none. */
  action: Decision;
  events: number;
  reasons: Array<{ reason: string; events: number }>;
}

export interface Histogram {
  interval: 'hour' | 'day' | 'week';
  interval_seconds: number;
  buckets: Array<{ start: string; events: number; blocks: number }>;
}
