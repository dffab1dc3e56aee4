import type { FirewallConfig } from '../policy/config-schema.js';
import { createCommandBackend } from './command-backend.js';
import { firewalldBackend } from './firewalld-backend.js';
import type { FirewallBackend } from './firewall-types.js';
import { iptablesBackend } from './iptables-backend.js';
import { ipsetBackend } from './ipset-backend.js';
import { nftablesBackend } from './nftables-backend.js';

/** The backend that firewall.backend names; undefined for "none". */
export function selectBackend(config: FirewallConfig): FirewallBackend | undefined {
  switch (config.backend) {
    case 'none':
      return undefined;
    case 'nftables':
      return nftablesBackend;
    case 'ipset':
      return ipsetBackend;
    case 'iptables':
      return iptablesBackend;
    case 'firewalld':
      return firewalldBackend;
    case 'command':
      // parseConfig rejects "command" without firewall.command; an empty program fails the binary check.
      return createCommandBackend(config.command ?? []);
  }
}

/** The programs a backend runs, for `check` (the command backend's program comes from its configuration). */
export function listBackendPrograms(config: FirewallConfig): string[] {
  switch (config.backend) {
    case 'none':
      return [];
    case 'nftables':
      return ['nft'];
    case 'ipset':
      return ['ipset', 'iptables', 'ip6tables', 'iptables-save', 'ip6tables-save'];
    case 'iptables':
      return ['iptables', 'ip6tables'];
    case 'firewalld':
      return ['firewall-cmd'];
    case 'command':
      return config.command?.[0] === undefined ? [] : [config.command[0]];
  }
}
