import { compareText } from './capped-counter.js';

/** Running figures of one group (a country or an AS). */
export interface GroupStats {
  label: string | undefined;
  events: number;
  blocks: number;
  ips: Set<string>;
  latSum: number;
  lonSum: number;
  located: number;
}

export interface GroupTableOptions {
  /** Distinct groups kept; later groups are counted under `otherKey`. */
  maxGroups: number;
  /** Distinct (group, IP) pairs kept across the table; past it unique-IP counts become lower bounds. */
  maxPairs: number;
  otherKey: string;
}

/**
 * Events, blocks and unique IPs per group, in bounded memory: the number of
 * groups and the number of remembered (group, IP) pairs are both capped, so
 * memory depends on the caps, never on the number of records.
 */
export class GroupTable {
  readonly groups = new Map<string, GroupStats>();
  private pairs = 0;
  pairsExact = true;

  constructor(private readonly options: GroupTableOptions) {}

  /**
   * Count one event of group `key` (first label seen wins) from `ip` (none: a record that failed before it had a source).
   * `ipCounted`: the caller knows this (key, ip) pair came here before, so the unique-address set is not asked again.
   */
  addEvent(key: string, label: string | undefined, ip: string | undefined, blocked: boolean, lat?: number, lon?: number, ipCounted = false): void {
    let stats = this.groups.get(key);
    if (stats === undefined) {
      if (this.groups.size >= this.options.maxGroups) {
        key = this.options.otherKey;
        label = undefined;
        stats = this.groups.get(key);
      }
      if (stats === undefined) {
        stats = { label, events: 0, blocks: 0, ips: new Set(), latSum: 0, lonSum: 0, located: 0 };
        this.groups.set(key, stats);
      }
    }
    stats.events += 1;
    if (blocked) stats.blocks += 1;
    if (lat !== undefined && lon !== undefined) {
      stats.latSum += lat;
      stats.lonSum += lon;
      stats.located += 1;
    }
    if (ip !== undefined && !ipCounted && !stats.ips.has(ip)) {
      if (this.pairs < this.options.maxPairs) {
        stats.ips.add(ip);
        this.pairs += 1;
      } else {
        this.pairsExact = false;
      }
    }
  }

  /** Groups by events (then key), for rendering. */
  toSortedEntries(): Array<[string, GroupStats]> {
    return [...this.groups].sort((a, b) => b[1].events - a[1].events || compareText(a[0], b[0]));
  }
}
