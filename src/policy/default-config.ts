import type { Config } from './config-schema.js';

/** The configuration in force when no file exists: log only, never block. Kept apart from the schema so the hot path needs no zod. */
export function defaultConfig(): Config {
  return {
    databases: {},
    log: {},
    policy: {
      mode: 'off',
      countries: [],
      asns: [],
      unknown: 'log',
      never_block: [],
      allow_private: false,
      min_rule_level: 0,
      rules: { include: [], exclude: [] },
    },
    firewall: { backend: 'none', expire_seconds: 86400, dry_run: false },
  };
}
