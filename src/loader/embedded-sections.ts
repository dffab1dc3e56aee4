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
 * it back through a descriptor). It also makes an alert immune to an upgrade renaming a new file
 * over this one: the program comes from the text Node loaded.
 *
 * Layout of the body: `/*GEO-RESPONSE-BUILD <hash>*\/`, then the head line
 * `/*GEO-RESPONSE-SECTION program <encoding> <length>`, the program's source in exactly <length>
 * characters, and `\n*\/`. The source is as is when it holds no `*\/`, otherwise base64 (which
 * has no `*`), so it cannot end its comment early. `build` is a hash of the loader, the program
 * and the parts file: it names the caches and the parts file, so neither ever meets another
 * build. The loader (run-program.ts) reads this layout.
 */

export const SECTIONS_FUNCTION = '__geoResponseSections';
export const BUILD_MARK = '/*GEO-RESPONSE-BUILD ';
export const SECTION_MARK = '/*GEO-RESPONSE-SECTION ';
export const SECTION_END = '\n*/';

// `text`: the source as is (only when it holds no `*/`); `base64` otherwise.
export type SectionEncoding = 'text' | 'base64';

/** The never-called function that carries the build hash and the program. */
export function formatSectionsFunction(build: string, program: string): string {
  const encoding: SectionEncoding = program.includes('*/') ? 'base64' : 'text';
  const body = encoding === 'text' ? program : Buffer.from(program).toString('base64').replace(/.{1,120}/g, '$&\n');
  return `function ${SECTIONS_FUNCTION}() {${BUILD_MARK}${build}*/\n${SECTION_MARK}program ${encoding} ${body.length}\n${body}${SECTION_END}\n}\n`;
}
