import type { Histogram } from './report-summary.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;
/** Spans up to two weeks are shown per hour (at most 337 bars); a day per bar would hide the daily rhythm of a botnet. */
const MAX_HOURLY_SPAN_MS = 14 * DAY_MS;
/** Past this many days the histogram goes weekly, so it stays readable. */
const MAX_DAILY_BUCKETS = 400;
/** Hourly buckets kept before folding into days: bounds memory for logs spanning years. */
const MAX_HOURLY_KEYS = 50_000;

interface Bucket {
  events: number;
  blocks: number;
}

/**
 * Events and blocks per hour, folded into days if a log spans more hours
 * than is worth keeping. The interval shown (hour/day/week) is chosen at the
 * end, from the span, since a stream does not know its span in advance.
 * Buckets are aligned to UTC.
 */
export class HistogramCounter {
  private buckets = new Map<number, Bucket>();
  private bucketMs = HOUR_MS;

  /** Count one event at `timeMs`. */
  addEvent(timeMs: number, blocked: boolean): void {
    const key = Math.floor(timeMs / this.bucketMs);
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.bucketMs === HOUR_MS && this.buckets.size >= MAX_HOURLY_KEYS) {
        this.buckets = foldBuckets(this.buckets, HOUR_MS, DAY_MS);
        this.bucketMs = DAY_MS;
        this.addEvent(timeMs, blocked);
        return;
      }
      bucket = { events: 0, blocks: 0 };
      this.buckets.set(key, bucket);
    }
    bucket.events += 1;
    if (blocked) bucket.blocks += 1;
  }

  /** Zero-filled buckets from the first to the last event, at the interval the span calls for. */
  toHistogram(firstMs: number | undefined, lastMs: number | undefined): Histogram {
    const span = firstMs === undefined || lastMs === undefined ? 0 : lastMs - firstMs;
    let intervalMs = span <= MAX_HOURLY_SPAN_MS && this.bucketMs === HOUR_MS ? HOUR_MS : DAY_MS;
    if (intervalMs === DAY_MS && span / DAY_MS > MAX_DAILY_BUCKETS) intervalMs = WEEK_MS;
    const interval = intervalMs === HOUR_MS ? 'hour' : intervalMs === DAY_MS ? 'day' : 'week';
    const result: Histogram = { interval, interval_seconds: intervalMs / 1000, buckets: [] };
    if (firstMs === undefined || lastMs === undefined) return result;
    const folded = foldBuckets(this.buckets, this.bucketMs, intervalMs);
    const firstKey = Math.floor(firstMs / intervalMs);
    const lastKey = Math.floor(lastMs / intervalMs);
    for (let key = firstKey; key <= lastKey; key += 1) {
      const bucket = folded.get(key);
      result.buckets.push({ start: new Date(key * intervalMs).toISOString(), events: bucket?.events ?? 0, blocks: bucket?.blocks ?? 0 });
    }
    return result;
  }
}

function foldBuckets(buckets: Map<number, Bucket>, fromMs: number, toMs: number): Map<number, Bucket> {
  if (fromMs === toMs) return buckets;
  const folded = new Map<number, Bucket>();
  for (const [key, bucket] of buckets) {
    const target = Math.floor((key * fromMs) / toMs);
    const into = folded.get(target);
    if (into === undefined) folded.set(target, { ...bucket });
    else {
      into.events += bucket.events;
      into.blocks += bucket.blocks;
    }
  }
  return folded;
}
