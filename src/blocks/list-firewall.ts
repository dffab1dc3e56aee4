import { toOneLine } from '../errors.js';
import { FirewallCommandError, createMissingBinaryError } from '../firewall/firewall-error.js';
import type { BlockInventory, ListedBlock } from '../firewall/firewall-types.js';
import { findBinary } from '../firewall/find-binary.js';
import type { CommandRunner } from '../firewall/command-runner.js';

/**
 * What the firewall blocks now, asked of the firewall itself through the backend's read-only
 * queries (`nft -j list set`, `ipset save`, `iptables -S`, `firewall-cmd --list-rich-rules`).
 * Our table, set or chain not existing yet means nothing is blocked; any other failure throws.
 */
export async function listFirewallBlocks(inventory: BlockInventory, backend: string, run: CommandRunner, binDirs: readonly string[]): Promise<ListedBlock[]> {
  const queries = inventory.list();
  const missing = queries.map((query) => query.command.program).filter((program) => findBinary(program, binDirs) === undefined);
  if (missing.length > 0) throw createMissingBinaryError([...new Set(missing)], binDirs, backend);
  const blocks: ListedBlock[] = [];
  for (const query of queries) {
    const command = { ...query.command, program: findBinary(query.command.program, binDirs) ?? query.command.program };
    const result = await run(command);
    if (result.exitCode === 1 && query.absent.test(`${result.stderr}\n${result.stdout}`)) continue;
    if (result.exitCode !== 0) throw new FirewallCommandError(command, result);
    try {
      blocks.push(...query.parse(result.stdout));
    } catch (error) {
      throw new FirewallCommandError(command, { ...result, exitCode: undefined, failure: `printed what cannot be read as a listing (${toOneLine((error as Error).message)})` });
    }
  }
  return blocks;
}
