import { defineConfig } from 'vitest/config';

// The fast, in-process unit tests of the pure core, for `npm run mutation` (stryker.config.mjs):
// no bundle, namespaces, browser or installer, so each mutant costs milliseconds, not seconds.
// report-figures (the naive recount over 3,000 records in every format) is left to `npm test`:
// under Stryker it cost more than all of these together; report-edges and report-bounded cover
// the aggregation here.
export default defineConfig({
  test: {
    // The same temporary directory per run as `npm test`, removed at the end (the tests' temp files go there).
    globalSetup: ['test/support/run-tmpdir.ts'],
    include: [
      'test/policy-decide.test.ts',
      'test/core-edges.test.ts',
      'test/ip-address.test.ts',
      'test/special-ranges-iana.test.ts',
      'test/mmdb-handmade.test.ts',
      'test/mmdb-faults.test.ts',
      'test/mmdb-bounded-work.test.ts',
      'test/mmdb-differential.test.ts',
      'test/positioned-file.test.ts',
      'test/invocation-parse.test.ts',
      'test/report-bounded.test.ts',
      'test/report-edges.test.ts',
      'test/report-aggregate.test.ts',
    ],
    // The differential test's quick mode (see there); `npm test` runs it in full.
    env: { GEO_RESPONSE_DIFFERENTIAL_QUICK: '1' },
    testTimeout: 60000,
    hookTimeout: 60000,
  },
});
