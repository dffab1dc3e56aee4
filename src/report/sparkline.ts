const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** How many consecutive values one sparkline character sums so that `count` values fit in `width`. */
export function computeGroupSize(count: number, width: number): number {
  return Math.max(1, Math.ceil(count / width));
}

/**
 * Values drawn as a one-line sparkline at most `width` characters wide;
 * longer series are summed in groups of equal size first (unequal groups
 * would draw a sawtooth). Zero is a space, so quiet hours stand out from low ones.
 */
export function renderSparkline(values: number[], width: number): string {
  const size = computeGroupSize(values.length, width);
  // Means, not sums: the last group may be short and must not look like a quiet spell.
  const columns = groupValues(values, size).map((sum, index) => sum / Math.min(size, values.length - index * size));
  const max = Math.max(0, ...columns);
  return columns
    .map((value) => (value === 0 || max === 0 ? ' ' : BLOCKS[Math.min(BLOCKS.length - 1, Math.ceil((value / max) * BLOCKS.length) - 1)]))
    .join('');
}

/** Sum each run of `size` consecutive values (the last run may be shorter). */
export function groupValues(values: number[], size: number): number[] {
  const columns = new Array<number>(Math.ceil(values.length / size)).fill(0);
  values.forEach((value, index) => {
    const column = Math.floor(index / size);
    columns[column] = (columns[column] as number) + value;
  });
  return columns;
}
