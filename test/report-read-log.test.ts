import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectLogFile, readLogLines } from '../src/report/read-log.js';
import { createRandom } from './support/random.js';

// Plain files are cut into lines inside a reused 4 MiB read buffer; gzip files go through
// LineSplitter. Both must give every line, and drop exactly the lines over the limit, wherever
// lines fall against the reads.

const dir = mkdtempSync(path.join(tmpdir(), 'report-read-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MAX_LINE = 256 * 1024;

/** Lines of random lengths (some over MAX_LINE, some empty), each made of one repeated letter and its length, so a wrong cut shows. */
function makeText(seed: number, totalBytes: number, endWithNewline: boolean): string {
  const random = createRandom(seed);
  const lines: string[] = [];
  let bytes = 0;
  while (bytes < totalBytes) {
    const roll = random();
    const length = roll < 0.05 ? 0 : roll < 0.1 ? MAX_LINE + Math.floor(random() * MAX_LINE) : roll < 0.12 ? MAX_LINE : Math.floor(random() * 300_000);
    const letter = String.fromCharCode(97 + (lines.length % 26));
    lines.push(`${length}:`.padEnd(length, letter).slice(0, length));
    bytes += length + 1;
  }
  return endWithNewline ? `${lines.join('\n')}\n` : lines.join('\n');
}

/** What the reader must give: LineSplitter's rule, written plainly. */
function expectedLines(text: string): { lines: string[]; oversized: number } {
  const parts = text.split('\n');
  if (text.endsWith('\n')) parts.pop();
  const lines = parts.filter((line) => Buffer.byteLength(line) <= MAX_LINE);
  return { lines, oversized: parts.length - lines.length };
}

async function readAll(file: string): Promise<{ lines: string[]; oversized: number; bytes: number }> {
  const lines: string[] = [];
  let oversized = 0;
  let bytes = 0;
  const log = await inspectLogFile(file);
  await readLogLines(log, {
    maxLineBytes: MAX_LINE,
    onLine: (buffer, start, end) => lines.push(buffer.toString('utf8', start, end)),
    onOversized: () => (oversized += 1),
    onBytes: (count) => (bytes += count),
  });
  return { lines, oversized, bytes };
}

describe('readLogLines: lines across reads', () => {
  it.each([
    { seed: 1, gzip: false, endWithNewline: true },
    { seed: 2, gzip: false, endWithNewline: false },
    { seed: 3, gzip: true, endWithNewline: true },
    { seed: 4, gzip: true, endWithNewline: false },
  ])('seed $seed, gzip $gzip, final newline $endWithNewline', async ({ seed, gzip, endWithNewline }) => {
    // 14 MB: several 4 MiB reads, with long and oversized lines across their edges.
    const text = makeText(seed, 14_000_000, endWithNewline);
    const file = path.join(dir, `log-${seed}`);
    const bytes = gzip ? gzipSync(text) : Buffer.from(text);
    writeFileSync(file, bytes);
    const expected = expectedLines(text);
    expect(expected.oversized).toBeGreaterThan(5);
    const actual = await readAll(file);
    expect(actual.oversized).toBe(expected.oversized);
    expect(actual.lines.length).toBe(expected.lines.length);
    expect(actual.lines).toEqual(expected.lines);
    expect(actual.bytes).toBe(bytes.length);
  });
});
