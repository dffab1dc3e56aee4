import { geoEqualEarth, geoGraticule10, geoPath, type GeoPermissibleObjects } from 'd3-geo';
import type { Feature, FeatureCollection, Geometry, MultiPolygon, Polygon } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import countries110m from 'world-atlas/countries-110m.json' with { type: 'json' };
import { toAlpha2 } from './country-codes.js';
import { escapeHtml } from './escape-html.js';
import type { CountryRow } from './report-summary.js';
import { formatCount } from './text-format.js';
import { placeLabels, type LabelCandidate } from './place-labels.js';

// ColorBrewer Blues, 6 classes: readable for most colour-blind viewers and in print. Not red:
// the page keeps dark red for blocks (the histogram), so a busy country never looks blocked.
const PALETTE = ['#eff3ff', '#c6dbef', '#9ecae1', '#6baed6', '#3182bd', '#08519c'];
const UNSHADED_FILL = '#e2e8f0';
const MARKER_RADIUS = 4;

export interface WorldMapOptions {
  width: number;
  height: number;
  /** How many of the busiest countries get a text label. */
  labelCount: number;
}

/** Lower bounds of the colour classes: geometric steps from 1 to the largest count, since attack counts are heavy-tailed. */
export function computeBreaks(max: number, classes = PALETTE.length): number[] {
  const breaks = new Set<number>([1]);
  for (let index = 1; index < classes; index += 1) breaks.add(Math.max(1, Math.ceil(max ** (index / classes))));
  return [...breaks].filter((value) => value <= max).sort((a, b) => a - b);
}

function colourFor(count: number, breaks: number[]): string {
  let index = 0;
  breaks.forEach((lower, position) => {
    if (count >= lower) index = position;
  });
  // Spread few classes over the whole palette so the darkest colour always means "most".
  const paletteIndex = breaks.length <= 1 ? PALETTE.length - 1 : Math.round((index * (PALETTE.length - 1)) / (breaks.length - 1));
  return PALETTE[paletteIndex] as string;
}

/** The largest polygon of a shape: labels go there, not into the sea between France and French Guiana. */
function largestPart(shape: Feature<Geometry>, area: (object: GeoPermissibleObjects) => number): GeoPermissibleObjects {
  if (shape.geometry.type !== 'MultiPolygon') return shape;
  const parts = (shape.geometry as MultiPolygon).coordinates.map((coordinates): Polygon => ({ type: 'Polygon', coordinates }));
  return parts.reduce((best, part) => (area(part) > area(best) ? part : best));
}

/**
 * An SVG world map with each country shaded by its event count, a legend, and
 * the busiest countries labelled. Rendered at report time from world-atlas's
 * 110m shapes, so the page needs nothing at view time. Every country shape
 * carries `data-iso` and `data-count` and the class `shaded` or `unshaded`;
 * countries too small for the 110m shapes (Singapore, Hong Kong, …) are drawn
 * as circles at the mean of their records' coordinates.
 */
export function renderWorldMap(rows: CountryRow[], options: WorldMapOptions): string {
  const counts = new Map<string, number>();
  for (const row of rows) if (row.iso_code !== null) counts.set(row.iso_code, row.events);
  const max = Math.max(0, ...counts.values());
  const breaks = computeBreaks(max);
  const topology = countries110m as unknown as Topology<{ countries: GeometryCollection<{ name: string }> }>;
  const shapes = feature(topology, topology.objects.countries) as FeatureCollection<Geometry, { name: string }>;
  const projection = geoEqualEarth().fitExtent(
    [
      [4, 4],
      [options.width - 4, options.height - 4],
    ],
    { type: 'Sphere' },
  );
  const path = geoPath(projection).digits(1);
  const drawn = new Set<string>();
  const anchors = new Map<string, [number, number]>();
  const parts: string[] = [];
  parts.push(`<path class="sphere" d="${path({ type: 'Sphere' })}" fill="#f8fafc" stroke="#cbd5e1"/>`);
  parts.push(`<path class="graticule" d="${path(geoGraticule10())}" fill="none" stroke="#e2e8f0" stroke-width="0.5"/>`);
  for (const shape of shapes.features) {
    const code = toAlpha2(shape.id, shape.properties?.name);
    if (code === undefined) continue;
    const count = counts.get(code) ?? 0;
    drawn.add(code);
    const name = shape.properties?.name ?? code;
    const fill = count > 0 ? colourFor(count, breaks) : UNSHADED_FILL;
    parts.push(
      `<path class="country ${count > 0 ? 'shaded' : 'unshaded'}" data-iso="${escapeHtml(code)}" data-count="${count}" fill="${fill}" stroke="#ffffff" stroke-width="0.5" d="${path(shape) ?? ''}"><title>${escapeHtml(name)}: ${formatCount(count)} events</title></path>`,
    );
    if (!anchors.has(code)) anchors.set(code, path.centroid(largestPart(shape, (object) => path.area(object))));
  }
  const unplaced: CountryRow[] = [];
  for (const row of rows) {
    if (row.iso_code === null || drawn.has(row.iso_code)) continue;
    const point = row.location === null ? null : projection([row.location.lon, row.location.lat]);
    if (point === null || point === undefined) {
      unplaced.push(row);
      continue;
    }
    anchors.set(row.iso_code, point);
    parts.push(
      `<circle class="country marker shaded" data-iso="${escapeHtml(row.iso_code)}" data-count="${row.events}" cx="${point[0].toFixed(1)}" cy="${point[1].toFixed(1)}" r="${MARKER_RADIUS}" fill="${colourFor(row.events, breaks)}" stroke="#334155" stroke-width="0.75"><title>${escapeHtml(row.name)}: ${formatCount(row.events)} events</title></circle>`,
    );
  }
  const candidates: LabelCandidate[] = [];
  for (const row of rows.filter((candidate) => candidate.iso_code !== null).slice(0, options.labelCount)) {
    const anchor = anchors.get(row.iso_code as string);
    if (anchor === undefined || Number.isNaN(anchor[0])) continue;
    candidates.push({ key: row.iso_code as string, text: `${row.iso_code as string} ${formatCount(row.events)}`, x: anchor[0], y: anchor[1] });
  }
  // Neighbours (GB and DE, JP and KR) would print over each other: each label goes where it
  // overlaps none placed before it, busiest first; a label moved off its country gets a leader line.
  for (const label of placeLabels(candidates, options.width, options.height)) {
    if (label.labelX !== label.x || label.labelY !== label.y) {
      parts.push(`<line class="leader" x1="${label.x.toFixed(1)}" y1="${label.y.toFixed(1)}" x2="${label.labelX.toFixed(1)}" y2="${label.labelY.toFixed(1)}" stroke="#334155" stroke-width="0.6"/>`);
    }
    parts.push(
      `<text class="label" data-label-for="${escapeHtml(label.key)}" x="${label.labelX.toFixed(1)}" y="${label.labelY.toFixed(1)}" text-anchor="middle" dy="0.35em">${escapeHtml(label.text)}</text>`,
    );
  }
  parts.push(renderLegend(breaks, max, options.height));
  const note =
    unplaced.length === 0
      ? ''
      : `<p class="note">Not on the map (no shape or coordinates): ${unplaced.map((row) => `${escapeHtml(row.name)} (${formatCount(row.events)})`).join(', ')}</p>`;
  return `<svg class="world-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${options.width} ${options.height}" role="img" aria-label="World map of events by country">${parts.join('')}</svg>${note}`;
}

function renderLegend(breaks: number[], max: number, height: number): string {
  const items = [`<rect x="0" y="0" width="14" height="14" fill="${UNSHADED_FILL}"/><text x="20" y="11">0</text>`];
  breaks.forEach((lower, index) => {
    const upper = index + 1 < breaks.length ? (breaks[index + 1] as number) - 1 : max;
    const label = lower === upper ? formatCount(lower) : `${formatCount(lower)}–${formatCount(upper)}`;
    items.push(`<rect x="0" y="${(index + 1) * 18}" width="14" height="14" fill="${colourFor(lower, breaks)}"/><text x="20" y="${(index + 1) * 18 + 11}">${label}</text>`);
  });
  const top = height - 18 * (breaks.length + 1) - 28;
  return `<g class="legend" transform="translate(12 ${top})"><text x="0" y="-6" font-weight="600">Events</text>${items.join('')}</g>`;
}
