import { finishSummary, SummaryAccumulator, type AggregateLimits, DEFAULT_LIMITS } from './aggregate.js';
import { parseReportLine } from './parse-record.js';
import { ProgressBar } from './progress-bar.js';
import { inspectLogFile, readLogLines, type LogFile } from './read-log.js';
import { matchesFilters, type ReportFilters } from './report-filters.js';
import type { ReportSummary, SourceFile } from './report-summary.js';
import type { ReportEvent } from './report-event.js';

/**
 * Longest line parsed. Records are a few KiB (execd's own input is capped at
 * 64 KiB); anything longer is corruption or an attack and is skipped.
 */
export const MAX_LINE_BYTES = 1 << 20;
/** Inputs smaller than this finish too fast for a progress bar to help. */
export const PROGRESS_MIN_BYTES = 64 * 1_048_576;

export interface CollectOptions {
  files: string[];
  filters: ReportFilters;
  now: Date;
  top: number;
  /** Where a progress bar goes; none when undefined. */
  progressStream?: NodeJS.WritableStream;
  progressMinBytes?: number;
  limits?: AggregateLimits;
  maxLineBytes?: number;
  clock?: () => number;
  /** Every record that passes the filters, also handed here (the logins view builds its own summary from them). */
  onEvent?: (event: ReportEvent) => void;
}

/** Read every file (in the order given), filter, and summarise; all files are checked before any is read. */
export async function collectSummary(options: CollectOptions): Promise<ReportSummary> {
  const files: LogFile[] = [];
  try {
    for (const file of options.files) files.push(await inspectLogFile(file));
  } catch (error) {
    await Promise.all(files.map((file) => file.handle.close()));
    throw error;
  }
  const totalBytes = files.reduce((sum, file) => sum + file.bytes, 0);
  const progress =
    options.progressStream !== undefined && totalBytes >= (options.progressMinBytes ?? PROGRESS_MIN_BYTES)
      ? new ProgressBar({ stream: options.progressStream, totalBytes, clock: options.clock ?? (() => performance.now()) })
      : undefined;

  const acc = new SummaryAccumulator(options.limits ?? DEFAULT_LIMITS);
  const sources: SourceFile[] = [];
  for (const file of files) {
    const source: SourceFile = { path: file.path, bytes: file.bytes, gzip: file.gzip, records: 0, malformed: 0 };
    sources.push(source);
    await readLogLines(file, {
      maxLineBytes: options.maxLineBytes ?? MAX_LINE_BYTES,
      onLine(bytes, start, end) {
        // A blank line (or a lone CR) is spacing, not a malformed record.
        if (end === start || (end === start + 1 && bytes[start] === 0x0d)) return;
        const event = parseReportLine(bytes, start, end);
        if (event === undefined) {
          acc.malformed += 1;
          source.malformed += 1;
          return;
        }
        acc.read += 1;
        source.records += 1;
        if (!matchesFilters(event, options.filters)) return;
        acc.addEvent(event);
        options.onEvent?.(event);
      },
      onOversized() {
        acc.malformed += 1;
        acc.oversized += 1;
        source.malformed += 1;
      },
      ...(progress ? { onBytes: (bytes: number) => progress.advance(bytes) } : {}),
    });
  }
  progress?.finish();
  return finishSummary(acc, sources, options.filters, options.now, options.top);
}
