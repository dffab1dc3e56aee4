import { lstatSync } from 'node:fs';
import { parseReportEvent } from '../report/parse-record.js';
import { isBlockEvent, type ReportEvent } from '../report/report-event.js';
import { inspectLogFile, readLogLines } from '../report/read-log.js';

// A geo-log record is a few hundred bytes; a longer line is not one of ours.
const MAX_LINE_BYTES = 256 * 1024;
// Only records whose policy decided to block can say why an address is blocked: the rest are not parsed.
const BLOCK_DECISION = Buffer.from('"action":"block"');

/** The geo log and the newest rotated file before it (logrotate's `.1`, compressed or not), oldest first, where they exist. */
export function listReasonLogs(logPath: string): string[] {
  const candidates = [`${logPath}.1.gz`, `${logPath}.1`, logPath];
  return candidates.filter((path) => lstatSync(path, { throwIfNoEntry: false }) !== undefined);
}

/**
 * The latest blocking record of each address in `ips`, from the geo log. For display only: the log
 * sits in logs/, which the ossec/wazuh group can write, so it is read the way `report` reads it
 * (no link followed, no FIFO opened) and nothing read here decides a block.
 */
export async function readBlockReasons(files: readonly string[], ips: ReadonlySet<string>): Promise<Map<string, ReportEvent>> {
  const reasons = new Map<string, ReportEvent>();
  for (const path of files) {
    const file = await inspectLogFile(path);
    try {
      await readLogLines(file, {
        maxLineBytes: MAX_LINE_BYTES,
        onOversized: () => undefined,
        onLine(bytes, start, end) {
          const line = bytes.subarray(start, end);
          if (!line.includes(BLOCK_DECISION)) return;
          const event = parseReportEvent(line.toString('utf8'));
          if (event?.ip !== undefined && isBlockEvent(event) && ips.has(event.ip)) reasons.set(event.ip, event);
        },
      });
    } finally {
      await file.handle.close();
    }
  }
  return reasons;
}
