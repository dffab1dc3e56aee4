import type { GeoResponseError } from '../errors.js';
import { applyFirewall } from '../firewall/apply-firewall.js';
import { acquireFirewallLock } from '../firewall/firewall-lock.js';
import { foldBlockChanges } from './change-files.js';
import type { ApplyFirewallOptions, FirewallOutcome } from '../firewall/firewall-types.js';
import type { IpAddress } from '../geo/ip-address.js';
import { buildRecord } from '../log/build-record.js';
import type { GeoResponseFields } from '../log/record.js';
import type { FirewallConfig } from '../policy/config-schema.js';

export interface RemoveBlockOptions extends ApplyFirewallOptions {
  statePath: string;
  now(): Date;
  version: string;
  requestedBy: NonNullable<GeoResponseFields['requested_by']>;
  /** Appends one geo-log record (the alert path's appendLine, bound to the log). */
  appendRecord(line: string): void;
}

/**
 * Lift one block now, as execd's `delete` would (idempotently: an address not blocked is a
 * success), drop it from the state so `restore` never puts it back, and write a record of who
 * asked. A later `delete` from execd then finds nothing to remove and succeeds; a later `add`
 * blocks again as usual.
 */
export async function removeBlock(address: IpAddress, config: FirewallConfig, options: RemoveBlockOptions): Promise<FirewallOutcome> {
  const started = options.now();
  const outcome = await applyFirewall(
    { action: 'delete', address, decision: 'allow', expireSeconds: config.expire_seconds, ossecArgs: ['delete', '-', address.text, '-', '-', '-'] },
    config,
    options,
  );
  if (!outcome.error) await foldChanges(options);
  const who = `${options.requestedBy.user} (uid ${options.requestedBy.uid})`;
  const reason = outcome.error ? outcome.error.message : `removed by ${who} with geo-response blocks remove: firewall ${outcome.fields.result}`;
  const record = buildRecord({
    timestamp: started,
    version: options.version,
    durationMs: options.now().getTime() - started.getTime(),
    outcome: outcome.error ? 'failure' : 'success',
    reason,
    protocol: 'cli',
    action: 'delete',
    address,
    firewall: outcome.fields,
    requestedBy: options.requestedBy,
    ...(outcome.error ? { error: outcome.error as GeoResponseError } : {}),
  });
  options.appendRecord(JSON.stringify(record));
  return outcome;
}

// The removal is recorded as a change file like an alert's; folded now, under the lock, so the
// state itself says it at once. A fold that fails leaves the change waiting for the next one.
async function foldChanges(options: RemoveBlockOptions): Promise<void> {
  let release: (() => void) | undefined;
  try {
    release = await acquireFirewallLock(options.lockDir ? { lockDir: options.lockDir } : {});
    foldBlockChanges(options.statePath, options.now().getTime());
  } catch {
    // Recorded all the same: restore and the next fold apply it.
  } finally {
    release?.();
  }
}
