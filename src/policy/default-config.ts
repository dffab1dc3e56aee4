import type { Config } from './config-schema.js';
import { defaultLoginSettings } from '../logins/login-settings.js';

/** The longest block the backends take: whole seconds up to ~24.8 days, the most nftables and ipset accept. */
export const MAX_EXPIRE_SECONDS = 2147483;

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
    logins: defaultLoginSettings(),
  };
}
