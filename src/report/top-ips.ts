import { compareText } from './capped-counter.js';

/** What is kept per IP. */
export interface IpStats {
  ip: string;
  events: number;
  /** Space-Saving overcount: the count of the entry this one replaced. */
  error: number;
  country: string | undefined;
  asn: number | undefined;
  organization: string | undefined;
  firstMs: number;
  lastMs: number;
  blocked: boolean;
  /** Position in the min-heap, once eviction has started. */
  heapIndex: number;
  /**
   * Group keys under which the report's group tables have already counted this address while
   * this entry lived (see SummaryAccumulator): a repeat skips their unique-address sets.
   */
  countedCountry?: string;
  countedAsn?: string;
  countedAgents?: string[];
}

export interface IpSighting {
  ip: string;
  timeMs: number;
  blocked: boolean;
  country: string | undefined;
  asn: number | undefined;
  organization: string | undefined;
}

/**
 * Per-IP counts, exact while at most `capacity` distinct IPs were seen, then
 * the Space-Saving algorithm (Metwally et al., 2005): a new IP replaces the
 * entry with the smallest count and inherits that count as its possible
 * overcount (`error`). Every IP whose true count exceeds records/capacity is
 * guaranteed to be in the table, and each listed count is within `error`
 * above the truth. The min-heap that finds the smallest entry is only built
 * when the table first fills, so the common exact case pays for a Map alone.
 * Of several entries with the smallest count, the one `toTop` lists last is
 * replaced, so the table keeps what a `--top` cut would show first.
 */
export class TopIpTable {
  private readonly entries = new Map<string, IpStats>();
  private heap: IpStats[] | undefined;
  /** Distinct IPs seen while exact; once evicting, a lower bound. */
  distinctSeen = 0;

  constructor(readonly capacity: number) {}

  get exact(): boolean {
    return this.heap === undefined;
  }

  /** Count one record from `sighting.ip`; returns its entry (a new one when the address was not in the table). */
  addSighting(sighting: IpSighting): IpStats {
    const existing = this.entries.get(sighting.ip);
    if (existing !== undefined) {
      existing.events += 1;
      if (sighting.timeMs < existing.firstMs) existing.firstMs = sighting.timeMs;
      if (sighting.timeMs > existing.lastMs) existing.lastMs = sighting.timeMs;
      if (sighting.blocked) existing.blocked = true;
      if (this.heap !== undefined) this.siftDown(existing.heapIndex);
      return existing;
    }
    if (this.entries.size < this.capacity) {
      const fresh: IpStats = {
        ip: sighting.ip,
        events: 1,
        error: 0,
        country: sighting.country,
        asn: sighting.asn,
        organization: sighting.organization,
        firstMs: sighting.timeMs,
        lastMs: sighting.timeMs,
        blocked: sighting.blocked,
        heapIndex: -1,
        countedCountry: undefined,
        countedAsn: undefined,
        countedAgents: undefined,
      };
      this.entries.set(sighting.ip, fresh);
      this.distinctSeen += 1;
      return fresh;
    }
    if (this.heap === undefined) this.buildHeap();
    if (this.distinctSeen === this.capacity) this.distinctSeen += 1;
    // The evicted entry's object becomes the new one: past the cap nearly every record of a new
    // address evicts, and a new object each time was garbage that lived long enough to grow the
    // old generation (measured: most of the peak memory with a million distinct addresses).
    const entry = (this.heap as IpStats[])[0] as IpStats;
    this.entries.delete(entry.ip);
    entry.error = entry.events;
    entry.events += 1;
    entry.ip = sighting.ip;
    entry.country = sighting.country;
    entry.asn = sighting.asn;
    entry.organization = sighting.organization;
    entry.firstMs = sighting.timeMs;
    entry.lastMs = sighting.timeMs;
    entry.blocked = sighting.blocked;
    entry.countedCountry = undefined;
    entry.countedAsn = undefined;
    if (entry.countedAgents !== undefined) entry.countedAgents.length = 0;
    this.entries.set(entry.ip, entry);
    this.siftDown(0);
    return entry;
  }

  /** Largest possible overcount among the entries (0 while exact). */
  maxError(): number {
    let max = 0;
    for (const entry of this.entries.values()) if (entry.error > max) max = entry.error;
    return max;
  }

  /** The `limit` busiest IPs (0 = all), by events then address. */
  toTop(limit: number): IpStats[] {
    const sorted = [...this.entries.values()].sort((a, b) => b.events - a.events || compareText(a.ip, b.ip));
    return limit > 0 ? sorted.slice(0, limit) : sorted;
  }

  private buildHeap(): void {
    const heap = [...this.entries.values()];
    heap.forEach((entry, index) => (entry.heapIndex = index));
    this.heap = heap;
    for (let index = (heap.length >> 1) - 1; index >= 0; index -= 1) this.siftDown(index);
  }

  private siftDown(start: number): void {
    const heap = this.heap as IpStats[];
    let index = start;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && isReplacedBefore(heap[left] as IpStats, heap[smallest] as IpStats)) smallest = left;
      if (right < heap.length && isReplacedBefore(heap[right] as IpStats, heap[smallest] as IpStats)) smallest = right;
      if (smallest === index) return;
      const a = heap[index] as IpStats;
      const b = heap[smallest] as IpStats;
      heap[index] = b;
      heap[smallest] = a;
      b.heapIndex = index;
      a.heapIndex = smallest;
      index = smallest;
    }
  }
}

/** The heap's order: fewer events first; of equal counts, the address `toTop` lists last. */
function isReplacedBefore(a: IpStats, b: IpStats): boolean {
  return a.events < b.events || (a.events === b.events && compareText(a.ip, b.ip) > 0);
}
