const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** How many consecutive values one sparkline character stands for, so that `count` values fit in `width`. */
export function computeGroupSize(count: number, width: number): number {
  return Math.max(1, Math.ceil(count / width));
}

/**
 * Values drawn as a one-line sparkline at most `width` characters wide;
 * longer series are averaged in groups of equal size first (unequal groups
 * would draw a sawtooth). Zero is a space, so quiet hours stand out from low ones.
 */
export function renderSparkline(values: number[], width: number): string {
  const columns = averageGroups(values, computeGroupSize(values.length, width));
  const max = Math.max(0, ...columns);
  return columns
    .map((value) => (value === 0 || max === 0 ? ' ' : BLOCKS[Math.min(BLOCKS.length - 1, Math.ceil((value / max) * BLOCKS.length) - 1)]))
    .join('');
}

// The mean of each run of `size` consecutive values. Means, not sums: the last run may be
// shorter and must not look like a quiet spell.
function averageGroups(values: number[], size: number): number[] {
  const columns: number[] = [];
  for (let start = 0; start < values.length; start += size) {
    const run = values.slice(start, start + size);
    columns.push(run.reduce((sum, value) => sum + value, 0) / run.length);
  }
  return columns;
}
