/*
 * The executable is one file: a shebang, the loader, then one function that is never called,
 * `__geoResponseSections`, whose body holds the build hash and every part of the program in block
 * comments (V8 skips over comments when Node loads the file).
 *
 * Why a function: Node has read and parsed the whole file before the loader's first line runs,
 * and the function's text (Function.prototype.toString) is a view of that source that V8 hands
 * back without a copy. So the loader opens no file and decodes nothing to find the program
 * (measured on the 2-core build machine with hrtime marks: ~0.2 ms less per alert than reading
 * the parts back through a descriptor). It also makes an alert immune to an upgrade renaming a
 * new file over this one: every part comes from the text Node loaded.
 *
 * Layout of the body: `/*GEO-RESPONSE-BUILD <hash>*\/`, then per section a head line
 * `/*GEO-RESPONSE-SECTION <name> <encoding> <length>[ <member>,<member>…]`, its body of exactly
 * <length> characters, and `\n*\/`. The lengths let the reader step from head to head without
 * searching the bodies. A body is the source as is when it holds no `*\/`, otherwise base64
 * (which has no `*`), so no section can end its comment early. `build` is a hash of the loader
 * and the sections: it names the caches, so a cache never meets another build.
 */

import { nodeBuiltin } from './node-builtin.js';

export const SECTIONS_FUNCTION = '__geoResponseSections';
const BUILD_MARK = '/*GEO-RESPONSE-BUILD ';
const SECTION_MARK = '/*GEO-RESPONSE-SECTION ';
const SECTION_END = '\n*/';

// `text`: the source as is (only when it holds no `*/`); `base64`; `brotli-base64` for large parts.
export type SectionEncoding = 'text' | 'base64' | 'brotli-base64';

/** One part to embed: a section of its own, or (with `members`) several parts as one JSON object. */
export interface SectionInput {
  name: string;
  encoding: SectionEncoding;
  bytes: Buffer;
  members?: string[];
}

/** The comment-wrapped sections, without the build line (the build hash is taken over these). */
export function formatSections(parts: SectionInput[]): string {
  return parts.map(formatSection).join('');
}

/** The never-called function that carries the sections. */
export function formatSectionsFunction(build: string, sections: string): string {
  return `function ${SECTIONS_FUNCTION}() {${BUILD_MARK}${build}*/\n${sections}}\n`;
}

function formatSection({ name, encoding, bytes, members }: SectionInput): string {
  const body = encoding === 'text' ? bytes.toString('utf8') : bytes.toString('base64').replace(/.{1,120}/g, '$&\n');
  if (body.includes('*/')) throw new Error(`section ${name} would end its comment early`);
  const memberList = members ? ` ${members.join(',')}` : '';
  return `${SECTION_MARK}${name} ${encoding} ${body.length}${memberList}\n${body}${SECTION_END}\n`;
}

interface SectionEntry {
  start: number;
  length: number;
  encoding: SectionEncoding;
  /** Set when the part is one member of a section holding several as a JSON object. */
  member?: string;
}

/** The sections as the loader sees them. */
export interface EmbeddedSections {
  build: string;
  /** The source text of one part. */
  read(name: string): string;
}

/** The text of the sections function, read on demand; `executable` names the file in errors. */
export function parseEmbeddedSections(text: string, executable: string): EmbeddedSections {
  const buildStart = text.indexOf(BUILD_MARK);
  const buildEnd = text.indexOf('*/', buildStart);
  if (buildStart === -1 || buildEnd === -1) throw new Error(`${executable} has no sections: not a complete geo-response executable`);
  return {
    build: text.slice(buildStart + BUILD_MARK.length, buildEnd),
    read(name) {
      const entry = findSection(text, buildEnd, name, executable);
      const body = text.slice(entry.start, entry.start + entry.length);
      const source = entry.encoding === 'text' ? body : decodeBase64(body, entry.encoding);
      return entry.member === undefined ? source : ((JSON.parse(source) as Record<string, string>)[entry.member] ?? '');
    },
  };
}

// Step from head line to head line until the part's own (the bodies are never searched). The
// program is the first section: an alert reads one head line.
function findSection(text: string, from: number, name: string, executable: string): SectionEntry {
  for (let head = text.indexOf(SECTION_MARK, from); head !== -1; ) {
    const lineEnd = text.indexOf('\n', head);
    const fields = text.slice(head + SECTION_MARK.length, lineEnd).split(' ');
    const start = lineEnd + 1;
    const length = Number(fields[2]);
    const end = start + length;
    if (fields.length < 3 || !Number.isInteger(length) || text.slice(end, end + SECTION_END.length) !== SECTION_END) {
      throw new Error(`${executable} has a damaged section ${fields[0] ?? ''}: reinstall geo-response`);
    }
    const encoding = fields[1] as SectionEncoding;
    if (fields[0] === name && fields[3] === undefined) return { start, length, encoding };
    if (fields[3]?.split(',').includes(name)) return { start, length, encoding, member: name };
    head = text.indexOf(SECTION_MARK, end);
  }
  throw new Error(`${executable} has no section ${name}: the file is incomplete; reinstall geo-response`);
}

function decodeBase64(body: string, encoding: SectionEncoding): string {
  const bytes = Buffer.from(body, 'base64');
  return encoding === 'base64' ? bytes.toString('utf8') : inflate(bytes);
}

function inflate(bytes: Buffer): string {
  // Loaded only here: zlib is needed by the large, rarely used parts alone.
  const { brotliDecompressSync } = nodeBuiltin<typeof import('node:zlib')>('node:zlib');
  return brotliDecompressSync(bytes).toString('utf8');
}
