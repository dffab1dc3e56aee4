import { escapeHtml as e } from './escape-html.js';
import type { Histogram } from './report-summary.js';
import { formatCount, formatMinute } from './text-format.js';

// Events are blue as on the map; dark red is kept for blocks alone, so colour never says "blocked" where nothing was.
export const EVENTS_COLOUR = '#6baed6';
export const BLOCKS_COLOUR = '#bd0026';

const WIDTH = 960;
const HEIGHT = 190;
const MARGIN = { left: 52, right: 10, top: 10, bottom: 30 };
const Y_TICKS = 4;
const MAX_X_LABELS = 12;

/** A round step (1, 2 or 5 × a power of ten) giving about `count` intervals up to `max`. */
export function computeNiceStep(max: number, count: number): number {
  const raw = Math.max(1, max / count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= raw) as number;
  return Math.max(1, step);
}

/**
 * The indices of buckets that get a date on the x axis: each UTC midnight for hours, every
 * bucket for days and weeks, thinned to at most MAX_X_LABELS so the dates never overlap.
 */
export function pickDateTicks(histogram: Histogram): number[] {
  const candidates = histogram.buckets.flatMap((bucket, index) => (histogram.interval !== 'hour' || bucket.start.slice(11, 13) === '00' ? [index] : []));
  const every = Math.max(1, Math.ceil(candidates.length / MAX_X_LABELS));
  return candidates.filter((_, position) => position % every === 0);
}

/** Events (and, over them, blocks) per interval as an SVG bar chart with a counted y axis and dated x axis. */
export function renderHistogramSvg(histogram: Histogram): string {
  const { buckets } = histogram;
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const busiest = Math.max(1, ...buckets.map((bucket) => bucket.events));
  const step = computeNiceStep(busiest, Y_TICKS);
  const top = Math.ceil(busiest / step) * step;
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  const slot = plotWidth / buckets.length;
  const parts: string[] = [];
  for (let value = 0; value <= top; value += step) {
    const at = y(value).toFixed(1);
    parts.push(`<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${at}" y2="${at}" stroke="#e2e8f0"/>`);
    parts.push(`<text class="y-tick" x="${MARGIN.left - 6}" y="${at}" dy="0.32em" text-anchor="end">${formatCount(value)}</text>`);
  }
  buckets.forEach((bucket, index) => {
    const x = (MARGIN.left + index * slot).toFixed(2);
    const width = Math.max(0.5, slot - (slot > 3 ? 1 : 0)).toFixed(2);
    const title = `<title>${e(formatMinute(bucket.start))} UTC: ${formatCount(bucket.events)} events, ${formatCount(bucket.blocks)} blocks</title>`;
    const bar = (value: number, colour: string) => `<rect x="${x}" y="${y(value).toFixed(1)}" width="${width}" height="${(y(0) - y(value)).toFixed(1)}" fill="${colour}"/>`;
    parts.push(`<g class="bar">${title}${bar(bucket.events, EVENTS_COLOUR)}${bucket.blocks > 0 ? bar(bucket.blocks, BLOCKS_COLOUR) : ''}</g>`);
  });
  const baseline = y(0).toFixed(1);
  parts.push(`<line class="axis" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${baseline}" y2="${baseline}" stroke="#475569"/>`);
  for (const index of pickDateTicks(histogram)) {
    const x = (MARGIN.left + index * slot).toFixed(1);
    const start = buckets[index]?.start ?? '';
    parts.push(`<line class="x-tick" x1="${x}" x2="${x}" y1="${baseline}" y2="${(y(0) + 5).toFixed(1)}" stroke="#475569"/>`);
    parts.push(`<text class="x-label" x="${x}" y="${(y(0) + 17).toFixed(1)}" text-anchor="middle">${e(start.slice(5, 10))}</text>`);
  }
  parts.push(`<text class="axis-title" x="12" y="${(MARGIN.top + plotHeight / 2).toFixed(1)}" transform="rotate(-90 12 ${(MARGIN.top + plotHeight / 2).toFixed(1)})" text-anchor="middle">events per ${e(histogram.interval)}</text>`);
  return `<svg class="histogram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Events per ${e(histogram.interval)}">${parts.join('')}</svg>`;
}
