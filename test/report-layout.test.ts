import { describe, expect, it } from 'vitest';
import { boxesOverlap, estimateLabelBox, placeLabels } from '../src/report/place-labels';
import { computeNiceStep, pickDateTicks } from '../src/report/render-histogram-svg';
import type { Histogram } from '../src/report/report-summary';

describe('placeLabels', () => {
  it.each([
    { title: 'far apart: both stay on their points', candidates: [{ key: 'US', text: 'US 5,164', x: 200, y: 100 }, { key: 'CN', text: 'CN 9,000', x: 700, y: 120 }], expected: [[200, 100], [700, 120]] },
    // GB and DE centroids a few pixels apart: the second label moves up, out of the first.
    { title: 'GB over DE: the less busy one moves above', candidates: [{ key: 'DE', text: 'DE 2,845', x: 480, y: 60 }, { key: 'GB', text: 'GB 2,031', x: 470, y: 58 }], expected: [[480, 60], [470, 44]] },
    { title: 'at the top edge: the label goes below instead (one line down would touch)', candidates: [{ key: 'A', text: 'AA 1', x: 100, y: 8 }, { key: 'B', text: 'BB 1', x: 100, y: 9 }], expected: [[100, 8], [100, 37]] },
  ])('$title', ({ candidates, expected }) => {
    expect(placeLabels(candidates, 960, 480).map((label) => [label.labelX, label.labelY])).toEqual(expected);
  });

  it('crowded: every placed label is clear of every other, and those with no room are left out', () => {
    const crowd = Array.from({ length: 40 }, (_, index) => ({ key: String(index), text: `X${index} 1,000`, x: 480 + (index % 3), y: 240 + (index % 2) }));
    const placed = placeLabels(crowd, 960, 480);
    expect(placed.length).toBeGreaterThan(3);
    expect(placed.length).toBeLessThan(crowd.length);
    const boxes = placed.map((label) => estimateLabelBox(label.text, label.labelX, label.labelY));
    for (const [i, a] of boxes.entries()) for (const b of boxes.slice(i + 1)) expect(boxesOverlap(a, b)).toBe(false);
  });
});

describe('histogram axes', () => {
  it.each([
    [1, 1],
    [3, 1],
    [7, 2],
    [322, 100],
    [10_578, 5000],
  ])('busiest %i: y step %i', (max, step) => {
    expect(computeNiceStep(max, 4)).toBe(step);
  });

  const hours = (count: number, from: string): Histogram => ({
    interval: 'hour',
    interval_seconds: 3600,
    buckets: Array.from({ length: count }, (_, index) => ({ start: new Date(Date.parse(from) + index * 3_600_000).toISOString(), events: 1, blocks: 0 })),
  });

  it('hours: a tick at each UTC midnight', () => {
    const histogram = hours(60, '2026-11-20T12:00:00.000Z');
    expect(pickDateTicks(histogram).map((index) => histogram.buckets[index]!.start)).toEqual(['2026-11-21T00:00:00.000Z', '2026-11-22T00:00:00.000Z']);
  });

  it('two weeks of days: thinned to at most 12 labels', () => {
    const days: Histogram = { interval: 'day', interval_seconds: 86_400, buckets: Array.from({ length: 90 }, (_, index) => ({ start: new Date(Date.UTC(2026, 0, 1 + index)).toISOString(), events: 1, blocks: 0 })) };
    const ticks = pickDateTicks(days);
    expect(ticks.length).toBeLessThanOrEqual(12);
    expect(ticks[0]).toBe(0);
  });
});
