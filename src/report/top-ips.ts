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

  /** Count one record from `sighting.ip`. */
  addSighting(sighting: IpSighting): void {
    const existing = this.entries.get(sighting.ip);
    if (existing !== undefined) {
      existing.events += 1;
      if (sighting.timeMs < existing.firstMs) existing.firstMs = sighting.timeMs;
      if (sighting.timeMs > existing.lastMs) existing.lastMs = sighting.timeMs;
      if (sighting.blocked) existing.blocked = true;
      if (this.heap !== undefined) this.siftDown(existing.heapIndex);
      return;
    }
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
    };
    if (this.entries.size < this.capacity) {
      this.entries.set(sighting.ip, fresh);
      this.distinctSeen += 1;
      return;
    }
    if (this.heap === undefined) this.buildHeap();
    if (this.distinctSeen === this.capacity) this.distinctSeen += 1;
    const heap = this.heap as IpStats[];
    const smallest = heap[0] as IpStats;
    this.entries.delete(smallest.ip);
    fresh.events = smallest.events + 1;
    fresh.error = smallest.events;
    fresh.heapIndex = 0;
    heap[0] = fresh;
    this.entries.set(fresh.ip, fresh);
    this.siftDown(0);
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
