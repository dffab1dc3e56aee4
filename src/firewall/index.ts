export { applyFirewall } from './apply-firewall.js';
export type { ApplyFirewallOptions, FirewallOutcome, FirewallRequest } from './firewall-types.js';
export { FirewallCommandError } from './firewall-error.js';
export { listBackendPrograms, selectBackend } from './select-backend.js';
export { DEFAULT_BIN_DIRS, findBinary } from './find-binary.js';
