/*
 * The executable's first lines: take the program from the sections function that ends this same
 * file (embedded-sections.ts says why and how it is laid out), compile it through a V8 code cache
 * (code-cache.ts) and run it.
 *
 * Why straight-line code: Node compiles this file from source on every alert, and each function
 * of it again on its first call, ~20 µs each here, while the program's functions come compiled
 * from the code cache. Measured on the 2-core build machine (hrtime marks from start-up to the
 * program's first line, medians of 150 interleaved runs): the same loader written as six small
 * functions reached the program 0.13–0.18 ms later. So what runs here on every alert is written
 * out, and calls two functions (compileWithCodeCache, readTrustedCache); the program builds the
 * rest from what it is handed (executable.ts).
 */
import { HAND_RUN_COMMANDS } from '../cli/alert-invocation.js';
import { EXIT_CODES } from '../cli/exit-codes.js';
import { compileWithCodeCache } from './code-cache.js';
import { BUILD_MARK, SECTION_END, SECTION_MARK } from './embedded-sections.js';
import type { LoadedExecutable } from './loaded-executable.js';

// Written after the loader by tsup.config.ts (formatSectionsFunction in embedded-sections.ts); never called.
declare function __geoResponseSections(): void;

const text = __geoResponseSections.toString();
const buildStart = text.indexOf(BUILD_MARK);
const buildEnd = text.indexOf('*/', buildStart);
const head = text.indexOf(SECTION_MARK, buildEnd);
const headEnd = text.indexOf('\n', head);
const [section, encoding, lengthText] = text.slice(head + SECTION_MARK.length, headEnd).split(' ');
const bodyEnd = headEnd + 1 + Number(lengthText);
if (
  buildStart === -1 ||
  head === -1 ||
  section !== 'program' ||
  (encoding !== 'text' && encoding !== 'base64') ||
  !Number.isInteger(Number(lengthText)) ||
  text.slice(bodyEnd, bodyEnd + SECTION_END.length) !== SECTION_END
) {
  // One line, as every failure of ours: without its program the executable can write no record.
  process.stderr.write(`geo-response: ${__filename} is not a complete geo-response executable (its program section is missing or damaged): reinstall geo-response\n`);
  process.exit(EXIT_CODES.internal);
}
const body = text.slice(headEnd + 1, bodyEnd);
const source = encoding === 'text' ? body : Buffer.from(body, 'base64').toString('utf8');
const build = text.slice(buildStart + BUILD_MARK.length, buildEnd);

// Only alerts read or write code caches: the commands run by hand would fill the program's cache
// with their own functions. The test is isAlertInvocation's (src/cli/alert-invocation.ts), written out.
const first = process.argv[2];
const useCodeCache = (first === undefined || !HAND_RUN_COMMANDS.has(first)) && process.env.GEO_RESPONSE_CACHE !== '0';
// The caches' names carry the build and the Node version, so a cache never meets another build:
// `.<executable>.<build>.node<version>.<part>` beside the executable (__filename is absolute).
const slash = __filename.lastIndexOf('/');
const cachePrefix = `${__filename.slice(0, slash + 1)}.${__filename.slice(slash + 1)}.${build}.node${process.version}.`;

const loaded: LoadedExecutable = {
  path: __filename,
  build,
  cachePrefix,
  compile: (code, part) => compileWithCodeCache(code, `${__filename}#${part}`, useCodeCache ? `${cachePrefix}${part}.v8cache` : undefined),
};
// The same call as loaded.compile makes, written out: through the closure, one more function to compile.
const program = compileWithCodeCache(source, `${__filename}#program`, useCodeCache ? `${cachePrefix}program.v8cache` : undefined);
// The program's require: Node's built-in modules through process.getBuiltinModule (Node 20.16+
// and 22.3+), falling back to require on older Node (Debian 12 and Ubuntu 24.04 ship 18). Why:
// require() goes through the CommonJS loader and, on a module's first use, builds an ES-module
// facade of all its exports; getBuiltinModule hands over the module Node already holds. Measured
// on the 2-core build machine (interleaved runs, medians): ~0.1–0.2 ms less per alert. On Node 18
// the first require('fs') alone costs ~2.3 ms, because its facade reads the fs.promises getter.
// The loader's own modules take their built-ins the same way (cache-files.ts, code-cache.ts).
// Each module of the bundle asks for its own: kept, so Node is asked once per module name (asked
// a dozen times, Node's lookup functions became hot enough to be compiled by Sparkplug).
const builtins: Record<string, unknown> = {};
program(module.exports, (id: string) => (builtins[id] ??= process.getBuiltinModule?.(id) ?? require(id)), module, __filename, __dirname, loaded);
