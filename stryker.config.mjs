// Mutation testing of the pure core (issue 19): `npm run mutation`. Not part of `npm test` or CI:
// it takes minutes (docs/testing.md has the last score and time).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.mts' },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'src/policy/decide.ts',
    'src/geo/ip-address.ts',
    'src/geo/address-bytes.ts',
    'src/geo/special-ranges.ts',
    'src/geo/mmdb/*.ts',
    // The window cache over pread is I/O, not the pure core (positioned-file.test and the differential test cover it).
    '!src/geo/mmdb/positioned-file.ts',
    'src/invocation/*.ts',
    'src/report/aggregate.ts',
    'src/report/capped-counter.ts',
    'src/report/group-table.ts',
    'src/report/histogram.ts',
    'src/report/top-ips.ts',
    'src/report/report-filters.ts',
    'src/report/report-event.ts',
  ],
  coverageAnalysis: 'perTest',
  // Mutants in module-level constants (the special-range table, lookup tables) would each rerun every
  // test; the table is checked against the IANA registries by its own test instead.
  ignoreStatic: true,
  // The machines have 2 cores, shared.
  concurrency: 2,
  timeoutMS: 20000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
