/** Key that collects everything past a counter's cap. */
export const OTHER_KEY = '(other)';

/**
 * A count per key with at most `maxKeys` keys; later keys are added to
 * `(other)`. Keys such as decision reasons come from the log, so without a
 * cap a log with a distinct reason per line would grow memory per record.
 */
export class CappedCounter {
  private readonly counts = new Map<string, number>();

  constructor(private readonly maxKeys: number) {}

  /** Count one occurrence of `key`. */
  addOne(key: string): void {
    const current = this.counts.get(key);
    if (current !== undefined) this.counts.set(key, current + 1);
    else if (this.counts.size < this.maxKeys) this.counts.set(key, 1);
    else this.counts.set(OTHER_KEY, (this.counts.get(OTHER_KEY) ?? 0) + 1);
  }

  /** The counts, largest first, ties by key, so output is the same on every run. */
  toSortedEntries(): Array<[string, number]> {
    return [...this.counts].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]));
  }
}

/** Code-point order: stable across locales, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
