import { readSync } from 'node:fs';

/*
 * The executable is one file: a shebang, an index line, the loader, then the program and each
 * lazily loaded part in block comments, which V8 skips over when Node loads the file: as source
 * text when it holds no `*\/`, otherwise base64 (which has no `*`), so no section can end its
 * comment early. The index line (`//GEO-RESPONSE-SECTIONS {"build":…,"sections":{…}}`) is padded
 * to a fixed width so the offsets can be computed before it is written; offsets count from the
 * index line, so the installer may rewrite the shebang. `build` is a hash of everything after
 * the index line: it names the caches, so a cache never meets another build.
 */

// `text`: the source as is (only when it holds no `*/`); `base64`; `brotli-base64` for large parts.
export type SectionEncoding = 'text' | 'base64' | 'brotli-base64';
/** Where a part is: a section of its own, or (with `member`) one entry of a section that bundles several as a JSON object. */
export type SectionEntry = [offset: number, length: number, encoding: SectionEncoding, member?: string];

export interface SectionIndex {
  build: string;
  sections: Record<string, SectionEntry>;
}

const INDEX_PREFIX = '//GEO-RESPONSE-SECTIONS ';
/** The index line's fixed width (characters, newline excluded). */
export const SECTION_INDEX_WIDTH = 640;
// The shebang (at most Linux's 127-byte limit plus newline) and the index line.
const HEAD_BYTES = 128 + SECTION_INDEX_WIDTH + 1;

/** The index line for a layout. */
export function formatSectionIndex(index: SectionIndex): string {
  const line = INDEX_PREFIX + JSON.stringify(index);
  if (line.length > SECTION_INDEX_WIDTH) throw new Error(`section index longer than ${SECTION_INDEX_WIDTH} characters`);
  return `${line.padEnd(SECTION_INDEX_WIDTH)}\n`;
}

/** One section: its comment head, its body in the chosen encoding, its comment tail. */
export function formatSection(name: string, encoding: SectionEncoding, bytes: Buffer): { head: string; body: Buffer; tail: string } {
  const body = encoding === 'text' ? bytes : Buffer.from(bytes.toString('base64').replace(/.{1,120}/g, '$&\n'));
  if (body.includes('*/')) throw new Error(`section ${name} would end its comment early`);
  return { head: `/*GEO-RESPONSE ${name}\n`, body, tail: '\n*/\n' };
}

/** The index of an open executable file, and where in the file its offsets count from. */
export function readSectionIndex(fd: number, executable: string): { index: SectionIndex; base: number } {
  const head = readExactly(fd, 0, HEAD_BYTES, executable, true).toString('latin1');
  const start = head.indexOf(INDEX_PREFIX);
  const end = head.indexOf('\n', start);
  if (start === -1 || end === -1) throw new Error(`${executable} has no section index: not a complete geo-response executable`);
  return { index: JSON.parse(head.slice(start + INDEX_PREFIX.length, end)) as SectionIndex, base: start };
}

/** The source text of one section of an open executable file. */
export function readSectionText(fd: number, executable: string, base: number, index: SectionIndex, name: string): string {
  const entry = index.sections[name];
  if (entry === undefined) throw new Error(`${executable} has no section ${name}: the file is incomplete; reinstall geo-response`);
  const [offset, length, encoding, member] = entry;
  const raw = readExactly(fd, base + offset, length, executable);
  const text = encoding === 'text' ? raw.toString('utf8') : decodeBase64(raw, encoding);
  return member === undefined ? text : ((JSON.parse(text) as Record<string, string>)[member] ?? '');
}

function decodeBase64(raw: Buffer, encoding: 'base64' | 'brotli-base64'): string {
  const bytes = Buffer.from(raw.toString('latin1'), 'base64');
  return encoding === 'base64' ? bytes.toString('utf8') : inflate(bytes);
}

function readExactly(fd: number, offset: number, length: number, executable: string, shortIsFine = false): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, offset + done);
    if (read === 0) break;
    done += read;
  }
  if (done < length && !shortIsFine) throw new Error(`${executable} is truncated: reinstall geo-response`);
  return buffer.subarray(0, done);
}

function inflate(bytes: Buffer): string {
  // Loaded only here: zlib is needed by the large, rarely used parts alone.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { brotliDecompressSync } = require('node:zlib') as typeof import('node:zlib');
  return brotliDecompressSync(bytes).toString('utf8');
}
