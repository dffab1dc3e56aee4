/*
 * The executable is one file to run: a shebang, the loader, then one function that is never
 * called, `__geoResponseSections`, whose body holds the build hash and the program in block
 * comments (V8 skips over comments when Node loads the file). The parts only some paths run are
 * in the parts file beside it (parts-file.ts).
 *
 * Why a function: Node has read and parsed the whole file before the loader's first line runs,
 * and the function's text (Function.prototype.toString) is a view of that source that V8 hands
 * back without a copy. So the loader opens no file and decodes nothing to find the program
 * (measured on the 2-core build machine with hrtime marks: ~0.2 ms less per alert than reading
 * the parts back through a descriptor). It also makes an alert immune to an upgrade renaming a
 * new file over this one: the program comes from the text Node loaded.
 *
 * Layout of the body: `/*GEO-RESPONSE-BUILD <hash>*\/`, then per section a head line
 * `/*GEO-RESPONSE-SECTION <name> <encoding> <length>`, its body of exactly <length> characters,
 * and `\n*\/`. The lengths let the reader step from head to head without searching the bodies.
 * A body is the source as is when it holds no `*\/`, otherwise base64 (which has no `*`), so no
 * section can end its comment early. `build` is a hash of the loader, the sections and the parts
 * file: it names the caches and the parts file, so neither ever meets another build.
 */

export const SECTIONS_FUNCTION = '__geoResponseSections';
const BUILD_MARK = '/*GEO-RESPONSE-BUILD ';
const SECTION_MARK = '/*GEO-RESPONSE-SECTION ';
const SECTION_END = '\n*/';

// `text`: the source as is (only when it holds no `*/`); `base64` otherwise.
export type SectionEncoding = 'text' | 'base64';

/** One section to embed. */
export interface SectionInput {
  name: string;
  encoding: SectionEncoding;
  bytes: Buffer;
}

/** The comment-wrapped sections, without the build line (the build hash is taken over these). */
export function formatSections(parts: SectionInput[]): string {
  return parts.map(formatSection).join('');
}

/** The never-called function that carries the sections. */
export function formatSectionsFunction(build: string, sections: string): string {
  return `function ${SECTIONS_FUNCTION}() {${BUILD_MARK}${build}*/\n${sections}}\n`;
}

function formatSection({ name, encoding, bytes }: SectionInput): string {
  const body = encoding === 'text' ? bytes.toString('utf8') : bytes.toString('base64').replace(/.{1,120}/g, '$&\n');
  if (body.includes('*/')) throw new Error(`section ${name} would end its comment early`);
  return `${SECTION_MARK}${name} ${encoding} ${body.length}\n${body}${SECTION_END}\n`;
}

interface SectionEntry {
  start: number;
  length: number;
  encoding: SectionEncoding;
}

/** The sections as the loader sees them. */
export interface EmbeddedSections {
  build: string;
  /** Whether the executable holds this section (the others are in the parts file). */
  has(name: string): boolean;
  /** The source text of one section. */
  read(name: string): string;
}

/** The text of the sections function, read on demand; `executable` names the file in errors. */
export function parseEmbeddedSections(text: string, executable: string): EmbeddedSections {
  const buildStart = text.indexOf(BUILD_MARK);
  const buildEnd = text.indexOf('*/', buildStart);
  if (buildStart === -1 || buildEnd === -1) throw new Error(`${executable} has no sections: not a complete geo-response executable`);
  return {
    build: text.slice(buildStart + BUILD_MARK.length, buildEnd),
    has: (name) => findSection(text, buildEnd, name, executable) !== undefined,
    read(name) {
      const entry = findSection(text, buildEnd, name, executable);
      if (entry === undefined) throw new Error(`${executable} has no section ${name}: the file is incomplete; reinstall geo-response`);
      const body = text.slice(entry.start, entry.start + entry.length);
      return entry.encoding === 'text' ? body : Buffer.from(body, 'base64').toString('utf8');
    },
  };
}

// Step from head line to head line until the section's own (the bodies are never searched). The
// program is the first section: an alert reads one head line.
function findSection(text: string, from: number, name: string, executable: string): SectionEntry | undefined {
  for (let head = text.indexOf(SECTION_MARK, from); head !== -1; ) {
    const lineEnd = text.indexOf('\n', head);
    const fields = text.slice(head + SECTION_MARK.length, lineEnd).split(' ');
    const start = lineEnd + 1;
    const length = Number(fields[2]);
    const end = start + length;
    if (fields.length < 3 || !Number.isInteger(length) || text.slice(end, end + SECTION_END.length) !== SECTION_END) {
      throw new Error(`${executable} has a damaged section ${fields[0] ?? ''}: reinstall geo-response`);
    }
    if (fields[0] === name) return { start, length, encoding: fields[1] as SectionEncoding };
    head = text.indexOf(SECTION_MARK, end);
  }
  return undefined;
}
