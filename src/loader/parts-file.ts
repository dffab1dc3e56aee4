/*
 * The parts of the program that only some paths run (the firewall backends and runner, the zod
 * configuration parser, and the hand-run commands: check, lookup, report) live in a file beside
 * the executable, `geo-response.<build>.parts`, not in the executable itself.
 *
 * Why: Node reads, decodes and scans every byte of the file it runs, on every alert, whether a
 * line of it runs or not: ~2 µs per KB on the 2-core build machine (interleaved runs, medians:
 * a 200 KB comment after one statement costs 0.43 ms over an empty file). Kept as compressed
 * comments in the executable, these parts were 170 KB of its 220 KB; moved here, a log-only
 * alert got 0.3–0.4 ms cheaper. A part is read from here only by the paths that run it.
 *
 * Why the build in the name: an upgrade puts the new build's file beside the old one before it
 * replaces the executable, so an alert that started the old executable still finds its own parts
 * (install.sh keeps the previous build's file until the next upgrade).
 *
 * Layout: an ASCII index, then the bodies, each a UTF-8 source as one gzip member, or as it is
 * with its checksum in the index (`fnv1a32=<8 hex digits>`, part-checksum.ts):
 *
 *     GEO-RESPONSE-PARTS <build>
 *     <name> <offset> <length>[ <member>,<member>…| fnv1a32=<hex>]
 *     …
 *     (an empty line)
 *     <bodies>
 *
 * Why some parts as they are: the firewall part is what a blocking alert reads, and loading zlib
 * to inflate it cost 2–4 ms here (interleaved runs), a fifth of what a block may cost over a bare
 * Node start (design §7). Its checksum is computed by hand (part-checksum.ts) for the same reason.
 * Offsets count from the first body, so the index never depends on its own length. A part with members is one body holding a JSON
 * object of sources (the compressor folds the code they share into one copy); each member is read
 * by its own name. gzip rather than brotli, which packs them 23 % smaller: zlib checks a member's
 * CRC-32 and length as it inflates, so a flipped bit or a cut is an error, never other code that
 * runs as root (brotli has no checksum: a review found single-bit flips that decompressed to
 * different, still runnable, firewall code).
 */
import { closeSync, readSync } from 'node:fs';
import { openTrusted } from '../trust/trusted-path.js';
import { untrustedPathError } from '../trust/untrusted-path-error.js';
import { partChecksum } from './part-checksum.js';

const MAGIC = 'GEO-RESPONSE-PARTS';
/** The index must fit in the first read of the file. */
export const PARTS_INDEX_MAX_BYTES = 4096;

/** The name of the parts file of a build, in the executable's directory. */
export function partsFileName(build: string): string {
  return `geo-response.${build}.parts`;
}

/** One part to store: gzip-compressed source, (with `members`) a gzip-compressed JSON object of sources, or (with `checksum`) the UTF-8 source as it is. */
export interface PartInput {
  name: string;
  body: Uint8Array;
  members?: string[];
  /** Set for a part stored as it is: the checksum of its body (part-checksum.ts), checked as it is read. */
  checksum?: number;
}

/** A part stored as it is (not compressed), with the checksum that guards it. */
export function storedAsIs(name: string, source: string): PartInput {
  const body = Buffer.from(source, 'utf8');
  return { name, body, checksum: partChecksum(body) };
}

/** The whole parts file of a build. */
export function formatPartsFile(build: string, parts: PartInput[]): Buffer {
  let offset = 0;
  const lines = parts.map(({ name, body, members, checksum }) => {
    const tail = members ? ` ${members.join(',')}` : checksum !== undefined ? ` ${CHECKSUM_FIELD}${checksum.toString(16).padStart(8, '0')}` : '';
    const line = `${name} ${offset} ${body.length}${tail}\n`;
    offset += body.length;
    return line;
  });
  const index = `${MAGIC} ${build}\n${lines.join('')}\n`;
  if (Buffer.byteLength(index) > PARTS_INDEX_MAX_BYTES) throw new Error(`the parts index is ${Buffer.byteLength(index)} bytes, over ${PARTS_INDEX_MAX_BYTES}`);
  return Buffer.concat([Buffer.from(index), ...parts.map((part) => part.body)]);
}

/** Where one part's body lies in the file. */
export interface PartEntry {
  /** From the start of the file. */
  offset: number;
  length: number;
  /** Set when the part is one member of a body holding several as a JSON object. */
  member?: string;
  /** Set when the part is stored as it is: the checksum its body must have. */
  checksum?: number;
}

const CHECKSUM_FIELD = 'fnv1a32=';

/** Find a part in the index at the start of a parts file; `path` and `build` are for errors and the build check. */
export function findPart(head: string, name: string, path: string, build: string): PartEntry {
  const end = head.indexOf('\n\n');
  if (end === -1) throw damaged(path, 'its index is cut short');
  const [first = '', ...lines] = head.slice(0, end).split('\n');
  const [magic, fileBuild] = first.split(' ');
  if (magic !== MAGIC) throw damaged(path, 'it is not a geo-response parts file');
  if (fileBuild !== build) throw new Error(`${path} is from build ${fileBuild ?? '?'}, not this executable's ${build}: reinstall geo-response`);
  for (const line of lines) {
    const [partName, offsetText, lengthText, tail] = line.split(' ');
    const offset = Number(offsetText);
    const length = Number(lengthText);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) throw damaged(path, `its index line "${line}" is not <name> <offset> <length>`);
    const checksum = tail?.startsWith(CHECKSUM_FIELD) ? tail.slice(CHECKSUM_FIELD.length) : undefined;
    if (checksum !== undefined && !/^[0-9a-f]{8}$/.test(checksum)) throw damaged(path, `its index line "${line}" has no checksum of 8 hex digits`);
    const members = checksum === undefined ? tail : undefined;
    // The bodies start after the index and its empty line.
    if (partName === name && checksum !== undefined) return { offset: end + 2 + offset, length, checksum: Number.parseInt(checksum, 16) };
    if (partName === name && members === undefined) return { offset: end + 2 + offset, length };
    if (members?.split(',').includes(name)) return { offset: end + 2 + offset, length, member: name };
  }
  throw new Error(`${path} has no part ${name}: reinstall geo-response`);
}

/** The source of one part, from the parts file at `path`, which must be of `build`. */
export function readPart(path: string, build: string, name: string): string {
  let opened;
  try {
    opened = openTrusted(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new Error(`cannot open ${path} (${code}): it holds the ${name} part of this build, which must sit beside the executable; reinstall geo-response`, { cause: error });
  }
  // Code that runs as root: only from a file the ossec/wazuh group cannot change.
  if (opened.kind === 'missing') throw new Error(`cannot open ${path} (ENOENT): it holds the ${name} part of this build, which must sit beside the executable; reinstall geo-response`);
  if (opened.kind === 'untrusted') throw untrustedPathError(opened.violation, `the ${name} part is not loaded`);
  const { fd } = opened;
  try {
    const head = Buffer.allocUnsafe(PARTS_INDEX_MAX_BYTES);
    const entry = findPart(head.toString('latin1', 0, readSync(fd, head, 0, head.length, 0)), name, path, build);
    const body = Buffer.allocUnsafe(entry.length);
    const read = readSync(fd, body, 0, entry.length, entry.offset);
    if (read !== entry.length) throw damaged(path, `part ${name} ends at byte ${entry.offset + read}, its index says ${entry.offset + entry.length}`);
    if (entry.checksum !== undefined) {
      if (partChecksum(body) !== entry.checksum) throw damaged(path, `part ${name} does not match its checksum`);
      return body.toString('utf8');
    }
    const source = inflate(body, path, name);
    if (entry.member === undefined) return source;
    const member = memberOf(source, entry.member);
    if (member === undefined) throw damaged(path, `part ${name} is missing from its group`);
    return member;
  } finally {
    closeSync(fd);
  }
}

function memberOf(group: string, member: string): string | undefined {
  try {
    const source = (JSON.parse(group) as Record<string, unknown>)[member];
    return typeof source === 'string' ? source : undefined;
  } catch {
    return undefined;
  }
}

function inflate(body: Buffer, path: string, name: string): string {
  // Loaded only here: zlib is needed by the parts alone, and alerts that only log load none.
  const { gunzipSync } = require('node:zlib') as typeof import('node:zlib');
  try {
    return gunzipSync(body).toString('utf8');
  } catch (error) {
    throw damaged(path, `part ${name} does not decompress: ${(error as Error).message}`, error);
  }
}

function damaged(path: string, what: string, cause?: unknown): Error {
  return new Error(`${path} is damaged (${what}): reinstall geo-response`, cause === undefined ? undefined : { cause });
}
