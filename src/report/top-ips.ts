import { compareText } from './capped-counter.js';

/** What is kept per IP, as `toTop` lists it. */
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
}

export interface IpSighting {
  ip: string;
  timeMs: number;
  blocked: boolean;
  country: string | undefined;
  asn: number | undefined;
  organization: string | undefined;
}

const EMPTY_SLOT = -1;
// An address's text is kept as bytes in a fixed slot of the entry: the longest IPv6 text is 45
// characters. Longer text, or text beyond Latin-1 (neither is an address, but a record may carry
// anything), is kept as a string instead, its length marked LONG_TEXT.
const TEXT_SLOT_BYTES = 45;
const LONG_TEXT = 255;
// Distinct country codes and organisation names kept as one shared string each (see `shared`).
const MAX_SHARED_TEXTS = 4096;

/** FNV-1a over the UTF-16 code units: the address's slot in the hash table. */
function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  return hash ^ (hash >>> 16);
}

/**
 * Per-IP counts, exact while at most `capacity` distinct IPs were seen, then
 * the Space-Saving algorithm (Metwally et al., 2005): a new IP replaces the
 * entry with the smallest count and inherits that count as its possible
 * overcount (`error`). Every IP whose true count exceeds records/capacity is
 * guaranteed to be in the table, and each listed count is within `error`
 * above the truth. The min-heap that finds the smallest entry is only built
 * when the table first fills. Of several entries with the smallest count, the
 * one `toTop` lists last is replaced, so the table keeps what a `--top` cut
 * would show first.
 *
 * Entries are numbered slots in typed arrays, found through an open-addressing
 * hash table (linear probing, deletion by backward shift), not objects in a
 * Map: past the cap nearly every record of a new address evicts one, and with
 * a Map and an object per entry that churn was garbage that lived long enough
 * to grow the old generation (peak 233 MB with a million distinct addresses).
 * Here an eviction rewrites a slot and allocates nothing but the address text.
 */
export class TopIpTable {
  /** Distinct IPs seen while exact; once evicting, a lower bound. */
  distinctSeen = 0;
  private size = 0;
  private readonly slotMask: number;
  private readonly slots: Int32Array;
  private readonly hashes: Int32Array;
  private readonly ipBytes: Uint8Array;
  private readonly ipLengths: Uint8Array;
  private readonly longIps = new Map<number, string>();
  private readonly events: Float64Array;
  private readonly errors: Float64Array;
  private readonly firstMs: Float64Array;
  private readonly lastMs: Float64Array;
  private readonly blocked: Uint8Array;
  private readonly countries: Array<string | undefined> = [];
  private readonly asns: Array<number | undefined> = [];
  private readonly organizations: Array<string | undefined> = [];
  /** Entry numbers by count, once evicting; `heapPositions[entry]` is where each sits. */
  private heap: Int32Array | undefined;
  private readonly heapPositions: Int32Array;
  /**
   * Per entry, what the report's group tables have already counted for this address while the
   * entry lived (see SummaryAccumulator): its country and ASN keys, and a bit per agent (of the
   * first 31 agents). A new or replaced entry starts with none.
   */
  readonly countedCountry: Array<string | undefined> = [];
  readonly countedAsn: Array<string | undefined> = [];
  readonly countedAgents: Int32Array;
  private readonly sharedTexts = new Map<string, string>();

  constructor(readonly capacity: number) {
    let slotCount = 16;
    // At most half full, so probes stay short.
    while (slotCount < capacity * 2) slotCount *= 2;
    this.slotMask = slotCount - 1;
    this.slots = new Int32Array(slotCount).fill(EMPTY_SLOT);
    this.hashes = new Int32Array(capacity);
    this.ipBytes = new Uint8Array(capacity * TEXT_SLOT_BYTES);
    this.ipLengths = new Uint8Array(capacity);
    this.events = new Float64Array(capacity);
    this.errors = new Float64Array(capacity);
    this.firstMs = new Float64Array(capacity);
    this.lastMs = new Float64Array(capacity);
    this.blocked = new Uint8Array(capacity);
    this.heapPositions = new Int32Array(capacity);
    this.countedAgents = new Int32Array(capacity);
  }

  get exact(): boolean {
    return this.heap === undefined;
  }

  /** Count one record from `sighting.ip`; returns its entry number (a fresh entry when the address was not in the table). */
  addSighting(sighting: IpSighting): number {
    const hash = hashText(sighting.ip);
    const found = this.find(sighting.ip, hash);
    if (found !== EMPTY_SLOT) {
      this.events[found] = (this.events[found] as number) + 1;
      if (sighting.timeMs < (this.firstMs[found] as number)) this.firstMs[found] = sighting.timeMs;
      if (sighting.timeMs > (this.lastMs[found] as number)) this.lastMs[found] = sighting.timeMs;
      if (sighting.blocked) this.blocked[found] = 1;
      if (this.heap !== undefined) this.siftDown(this.heapPositions[found] as number);
      return found;
    }
    let entry: number;
    if (this.size < this.capacity) {
      entry = this.size;
      this.size += 1;
      this.distinctSeen += 1;
      this.events[entry] = 1;
      this.errors[entry] = 0;
    } else {
      if (this.heap === undefined) this.buildHeap();
      if (this.distinctSeen === this.capacity) this.distinctSeen += 1;
      entry = (this.heap as Int32Array)[0] as number;
      this.unlink(entry);
      this.errors[entry] = this.events[entry] as number;
      this.events[entry] = (this.events[entry] as number) + 1;
    }
    this.storeIp(entry, sighting.ip);
    this.hashes[entry] = hash;
    this.countries[entry] = this.shared(sighting.country);
    this.asns[entry] = sighting.asn;
    this.organizations[entry] = this.shared(sighting.organization);
    this.firstMs[entry] = sighting.timeMs;
    this.lastMs[entry] = sighting.timeMs;
    this.blocked[entry] = sighting.blocked ? 1 : 0;
    this.countedCountry[entry] = undefined;
    this.countedAsn[entry] = undefined;
    this.countedAgents[entry] = 0;
    this.link(entry, hash);
    if (this.heap !== undefined) this.siftDown(0);
    return entry;
  }

  /** Largest possible overcount among the entries (0 while exact). */
  maxError(): number {
    let max = 0;
    for (let entry = 0; entry < this.size; entry += 1) if ((this.errors[entry] as number) > max) max = this.errors[entry] as number;
    return max;
  }

  /** The `limit` busiest IPs (0 = all), by events then address. */
  toTop(limit: number): IpStats[] {
    const all: IpStats[] = [];
    for (let entry = 0; entry < this.size; entry += 1) {
      all.push({
        ip: this.ipText(entry),
        events: this.events[entry] as number,
        error: this.errors[entry] as number,
        country: this.countries[entry],
        asn: this.asns[entry],
        organization: this.organizations[entry],
        firstMs: this.firstMs[entry] as number,
        lastMs: this.lastMs[entry] as number,
        blocked: this.blocked[entry] === 1,
      });
    }
    const sorted = all.sort((a, b) => b.events - a.events || compareText(a.ip, b.ip));
    return limit > 0 ? sorted.slice(0, limit) : sorted;
  }

  /**
   * One string for each distinct text. Each record's parse makes its own copy of its country code
   * and organisation name; kept per entry, every eviction left two of them behind in the old
   * generation (measured: 30 MB more peak with a million distinct addresses).
   */
  private shared(text: string | undefined): string | undefined {
    if (text === undefined) return undefined;
    const known = this.sharedTexts.get(text);
    if (known !== undefined) return known;
    if (this.sharedTexts.size < MAX_SHARED_TEXTS) this.sharedTexts.set(text, text);
    return text;
  }

  /**
   * Keep the address text of `entry` as bytes, not as the string the record's parse made: past
   * the cap each new address evicts one, and a string kept per entry was left behind in the old
   * generation at every eviction (30 MB of garbage, most of the growth of the peak memory, with a
   * million distinct addresses). A slot's bytes are just overwritten.
   */
  private storeIp(entry: number, ip: string): void {
    this.longIps.delete(entry);
    let latin1 = ip.length <= TEXT_SLOT_BYTES;
    for (let index = 0; latin1 && index < ip.length; index += 1) if (ip.charCodeAt(index) > 0xff) latin1 = false;
    if (!latin1) {
      this.ipLengths[entry] = LONG_TEXT;
      this.longIps.set(entry, ip);
      return;
    }
    const base = entry * TEXT_SLOT_BYTES;
    for (let index = 0; index < ip.length; index += 1) this.ipBytes[base + index] = ip.charCodeAt(index);
    this.ipLengths[entry] = ip.length;
  }

  private hasIp(entry: number, ip: string): boolean {
    const length = this.ipLengths[entry] as number;
    if (length === LONG_TEXT) return this.longIps.get(entry) === ip;
    if (length !== ip.length) return false;
    const base = entry * TEXT_SLOT_BYTES;
    for (let index = 0; index < length; index += 1) if (this.ipBytes[base + index] !== ip.charCodeAt(index)) return false;
    return true;
  }

  private ipText(entry: number): string {
    const length = this.ipLengths[entry] as number;
    if (length === LONG_TEXT) return this.longIps.get(entry) as string;
    const base = entry * TEXT_SLOT_BYTES;
    return Buffer.from(this.ipBytes.buffer, this.ipBytes.byteOffset + base, length).toString('latin1');
  }

  /** compareText of two entries' addresses, on the stored bytes (Latin-1 bytes sort as their UTF-16 code units do). */
  private compareIps(a: number, b: number): number {
    const lengthA = this.ipLengths[a] as number;
    const lengthB = this.ipLengths[b] as number;
    if (lengthA === LONG_TEXT || lengthB === LONG_TEXT) return compareText(this.ipText(a), this.ipText(b));
    const baseA = a * TEXT_SLOT_BYTES;
    const baseB = b * TEXT_SLOT_BYTES;
    const common = Math.min(lengthA, lengthB);
    for (let index = 0; index < common; index += 1) {
      const difference = (this.ipBytes[baseA + index] as number) - (this.ipBytes[baseB + index] as number);
      if (difference !== 0) return difference < 0 ? -1 : 1;
    }
    return lengthA === lengthB ? 0 : lengthA < lengthB ? -1 : 1;
  }

  /** The entry holding `ip`, or EMPTY_SLOT. */
  private find(ip: string, hash: number): number {
    const slots = this.slots;
    for (let slot = hash & this.slotMask; ; slot = (slot + 1) & this.slotMask) {
      const entry = slots[slot] as number;
      if (entry === EMPTY_SLOT) return EMPTY_SLOT;
      if (this.hashes[entry] === hash && this.hasIp(entry, ip)) return entry;
    }
  }

  private link(entry: number, hash: number): void {
    let slot = hash & this.slotMask;
    while (this.slots[slot] !== EMPTY_SLOT) slot = (slot + 1) & this.slotMask;
    this.slots[slot] = entry;
  }

  /** Take `entry` out of the hash table, shifting back the entries after it that probed past its slot. */
  private unlink(entry: number): void {
    const slots = this.slots;
    const mask = this.slotMask;
    let hole = (this.hashes[entry] as number) & mask;
    while (slots[hole] !== entry) hole = (hole + 1) & mask;
    for (let next = (hole + 1) & mask; slots[next] !== EMPTY_SLOT; next = (next + 1) & mask) {
      const moved = slots[next] as number;
      const home = (this.hashes[moved] as number) & mask;
      // `moved` may fill the hole only if its home slot is not between the hole and where it sits.
      const staysPut = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (staysPut) continue;
      slots[hole] = moved;
      hole = next;
    }
    slots[hole] = EMPTY_SLOT;
  }

  private buildHeap(): void {
    const heap = new Int32Array(this.size);
    for (let entry = 0; entry < this.size; entry += 1) {
      heap[entry] = entry;
      this.heapPositions[entry] = entry;
    }
    this.heap = heap;
    for (let index = (heap.length >> 1) - 1; index >= 0; index -= 1) this.siftDown(index);
  }

  private siftDown(start: number): void {
    const heap = this.heap as Int32Array;
    let index = start;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && this.isReplacedBefore(heap[left] as number, heap[smallest] as number)) smallest = left;
      if (right < heap.length && this.isReplacedBefore(heap[right] as number, heap[smallest] as number)) smallest = right;
      if (smallest === index) return;
      const a = heap[index] as number;
      const b = heap[smallest] as number;
      heap[index] = b;
      heap[smallest] = a;
      this.heapPositions[b] = index;
      this.heapPositions[a] = smallest;
      index = smallest;
    }
  }

  /** The heap's order: fewer events first; of equal counts, the address `toTop` lists last. */
  private isReplacedBefore(a: number, b: number): boolean {
    const eventsA = this.events[a] as number;
    const eventsB = this.events[b] as number;
    return eventsA < eventsB || (eventsA === eventsB && this.compareIps(a, b) > 0);
  }
}
