import { availableParallelism } from 'node:os';
import { toOneLine } from '../errors.js';
import { resolvePlan } from '../firewall/apply-firewall.js';
import { executeConcurrently, executePlan } from '../firewall/execute-plan.js';
import { createMissingBinaryError } from '../firewall/firewall-error.js';
import { acquireFirewallLock } from '../firewall/firewall-lock.js';
import { drainFirewallShared } from '../firewall/firewall-shared.js';
import type { BlockInventory, RestoreEntry } from '../firewall/firewall-types.js';
import { DEFAULT_BIN_DIRS } from '../firewall/find-binary.js';
import { renderPlan } from '../firewall/quote-command.js';
import { createExecaRunner, type CommandRunner } from '../firewall/run-command.js';
import { GeoResponseError } from '../errors.js';
import { foldBlockChanges, readBlockChanges, readRecordedBlocks } from './change-files.js';
import { listFirewallBlocks } from './list-firewall.js';
import { restorableFromState, type RestorableState } from './restorable-state.js';
import { scanRestorable } from './restore-scan.js';
import { parseBlockStateText, readBlockStateText, writeBlockStateText } from './state-file.js';

// Longer than an alert waits (30 s): a burst of alerts must not make the restore give up; each holds the lock for milliseconds.
export const RESTORE_LOCK_WAIT_MS = 120_000;

export interface RestoreOptions {
  backend: string;
  inventory: BlockInventory;
  statePath: string;
  env: NodeJS.ProcessEnv;
  now(): Date;
  dryRun?: boolean;
  binDirs?: readonly string[];
  lockDir?: string;
  /** How many cores the host has (os.availableParallelism() when not given): a large nftables restore runs one batch per core, up to two. */
  cores?: number;
}

export interface RestoreResult {
  /** How many addresses were put back in the firewall (or would be, in a dry run). */
  restored: number;
  /** Recorded blocks the firewall still held (only backends that must not add a block twice ask). */
  alreadyThere: string[];
  /** Recorded blocks that had ended: left out, and dropped from the state. */
  ended: number;
  /** Recorded entries whose address is not one geo-response writes (a hand edit): left out, and dropped from the state. */
  unusable: number;
  /** The commands run (or planned, in a dry run), one line each. */
  commands: string[];
}

/**
 * Put back every recorded block that has not ended, with the time it has left, and nothing else.
 * Idempotent: run twice, the second run changes nothing. Holds the firewall lock throughout, and
 * keeps out the alerts that take none, so an alert that blocks or unblocks meanwhile waits and then
 * finds state and firewall in agreement.
 */
export async function restoreBlocks(options: RestoreOptions): Promise<RestoreResult> {
  const binDirs = options.binDirs ?? DEFAULT_BIN_DIRS;
  const run = createExecaRunner({ env: options.env });
  const lockDir = options.lockDir ? { lockDir: options.lockDir } : {};
  const release = options.dryRun ? undefined : await acquireFirewallLock({ waitTimeoutMs: RESTORE_LOCK_WAIT_MS, priority: true, ...lockDir });
  let releaseMark: (() => void) | undefined;
  try {
    // Alerts on nftables and ipset take no lock: they are kept out, and those under way finish first.
    if (!options.dryRun) releaseMark = await drainFirewallShared(lockDir);
    const nowMs = options.now().getTime();
    const recorded = readRestorable(options.statePath, nowMs, options.dryRun === true);
    let entries = recorded.entries;
    const alreadyThere: string[] = [];
    if (options.inventory.restoreSkipsListed && entries.length > 0) {
      const listed = new Set((await listFirewallBlocks(options.inventory, options.backend, run, binDirs)).map((block) => block.ip));
      alreadyThere.push(...entries.filter((entry) => listed.has(entry.address.text)).map((entry) => entry.address.text));
      entries = entries.filter((entry) => !listed.has(entry.address.text));
    }
    const commands = entries.length > 0 ? await applyRestore(options, entries, binDirs, run) : [];
    if (!options.dryRun && recorded.rewrite !== undefined) writeBlockStateText(options.statePath, recorded.rewrite);
    return { restored: entries.length, alreadyThere, ended: recorded.ended, unusable: recorded.unusable, commands };
  } finally {
    releaseMark?.();
    release?.();
  }
}

// The changes alerts recorded since the last fold go into the state first (a dry run only reads
// them); then the fast scan reads the file as geo-response writes it; anything else (an earlier
// version) is parsed in full.
function readRestorable(statePath: string, nowMs: number, dryRun: boolean): RestorableState {
  const pending = readBlockChanges(statePath);
  if (pending.names.length > 0) {
    if (dryRun) return restorableFromState(readRecordedBlocks(statePath, nowMs, pending), nowMs);
    foldBlockChanges(statePath, nowMs, pending);
  }
  const text = readBlockStateText(statePath);
  if (text === undefined) return { entries: [], ended: 0, unusable: 0 };
  return scanRestorable(text, nowMs) ?? restorableFromState(parseBlockStateText(statePath, text), nowMs);
}

async function applyRestore(options: RestoreOptions, entries: RestoreEntry[], binDirs: readonly string[], run: CommandRunner): Promise<string[]> {
  const plan = options.inventory.planRestore(entries, options.cores ?? availableParallelism());
  if (options.dryRun) return renderPlan(plan.steps);
  const resolved = resolvePlan(plan, binDirs);
  if (resolved.missing.length > 0) throw createMissingBinaryError(resolved.missing, binDirs, options.backend);
  const execution = plan.concurrent ? await executeConcurrently(resolved.steps, run) : await executePlan(resolved.steps, run);
  if (!execution.ok) {
    throw new GeoResponseError(`restore failed: ${toOneLine(execution.error.message)}; ${execution.stateLeft}`, { code: execution.error.code, kind: 'command', cause: execution.error });
  }
  return execution.commands;
}
