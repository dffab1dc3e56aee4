import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/run-tmpdir.ts'],
    testTimeout: 60000,
    hookTimeout: 60000,
    // Tests start many child processes and namespaces; two workers match the 2-core machines.
    maxWorkers: 2,
    // install.sh --apply enables a systemd unit where systemd runs: never the host's from a test
    // (install-boot-unit.test.ts points it at a temp dir of its own).
    env: { GEO_RESPONSE_SYSTEMD_RUNNING_DIR: '/nonexistent/systemd-not-running' },
  },
});
