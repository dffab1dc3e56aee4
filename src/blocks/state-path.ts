import { join } from 'node:path';

/**
 * The blocks in force of an installation: `<home>/active-response/state/blocks.json`, in a directory
 * only root can enter (0700) under active-response/, which only root can write in OSSEC and Wazuh
 * alike (docs/blocks.md says why here and not in logs/ or var/).
 */
export function blockStatePath(home: string): string {
  return join(home, 'active-response', 'state', 'blocks.json');
}
