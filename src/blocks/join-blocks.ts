import { definedOnly } from '../invocation/json-fields.js';
import { parseAgentLocation } from '../invocation/parse-agent-location.js';
import type { ListedBlock } from '../firewall/firewall-types.js';
import type { ReportEvent } from '../report/report-event.js';
import { formatUtcTimestamp } from '../utc-timestamp.js';
import { remainingSeconds, type BlockState } from './block-state.js';

/** One blocked address: what the firewall holds, with what the state and the geo log say about it. */
export interface BlockRow {
  ip: string;
  country_iso_code?: string;
  country_name?: string;
  as_number?: number;
  as_organization?: string;
  /** When it was blocked: from the state, else from the geo-log record. */
  since?: string;
  /** When the firewall lifts it by itself; null = never (iptables, or no expiry set); absent = the firewall does not say. */
  expires?: string | null;
  rule_id?: string;
  rule_description?: string;
  agent_name?: string;
  /** The policy's reason in the geo log ("RU is in deny list"). */
  reason?: string;
  /** Whether a blocking record in the geo log explains it; false = in the firewall, but not known why. */
  recorded: boolean;
}

/** What `blocks` shows: the firewall's blocks, and the recorded ones the firewall no longer holds. */
export interface BlocksView {
  backend: string;
  /** Whether the backend lifts blocks by itself. */
  native_expiry: boolean;
  generated_at: string;
  blocks: BlockRow[];
  /** Recorded as in force, not expired, but absent from the firewall (flushed, reloaded, rebooted): `blocks restore` puts them back. */
  not_in_firewall: Array<{ ip: string; since: string; expires: string | null }>;
}

export interface JoinInput {
  backend: string;
  nativeExpiry: boolean;
  reportsExpiry: boolean;
  listed: readonly ListedBlock[];
  state: BlockState;
  reasons: ReadonlyMap<string, ReportEvent>;
  nowMs: number;
}

/** Join the firewall's listing with the state and the geo log's reasons. Pure. */
export function joinBlocks(input: JoinInput): BlocksView {
  const recorded = new Map(input.state.blocks.filter((entry) => remainingSeconds(entry, input.nowMs) !== undefined).map((entry) => [entry.ip, entry]));
  const seen = new Set<string>();
  const blocks: BlockRow[] = [];
  for (const block of input.listed) {
    if (seen.has(block.ip)) continue;
    seen.add(block.ip);
    const entry = recorded.get(block.ip);
    const event = input.reasons.get(block.ip);
    const sinceMs = entry?.since_ms ?? event?.timeMs;
    const since = sinceMs === undefined ? undefined : formatUtcTimestamp(new Date(sinceMs));
    blocks.push({
      ip: block.ip,
      ...definedOnly({
        country_iso_code: event?.countryCode,
        country_name: event?.countryName,
        as_number: event?.asn,
        as_organization: event?.organization,
        since,
      }),
      ...expiryOf(block, entry?.expires_ms, input),
      ...definedOnly({ rule_id: event?.ruleId, rule_description: event?.ruleDescription, agent_name: event?.agentName ?? (event?.location === undefined ? undefined : parseAgentLocation(event.location)?.name), reason: event?.decisionReason }),
      recorded: event !== undefined,
    });
  }
  const notInFirewall = [...recorded.values()].filter((entry) => !seen.has(entry.ip)).map((entry) => ({ ip: entry.ip, since: formatUtcTimestamp(new Date(entry.since_ms)), expires: entry.expires_ms === null ? null : formatUtcTimestamp(new Date(entry.expires_ms)) }));
  return { backend: input.backend, native_expiry: input.nativeExpiry, generated_at: formatUtcTimestamp(new Date(input.nowMs)), blocks, not_in_firewall: notInFirewall };
}

function expiryOf(block: ListedBlock, recordedExpiryMs: number | null | undefined, input: JoinInput): Pick<BlockRow, 'expires'> {
  if (block.expiresInSeconds !== undefined) return { expires: formatUtcTimestamp(new Date(input.nowMs + block.expiresInSeconds * 1000)) };
  // iptables keeps a rule until it is deleted; nftables and ipset list an entry without a countdown only when it has none.
  if (!input.nativeExpiry || input.reportsExpiry) return { expires: null };
  return recordedExpiryMs === undefined ? {} : { expires: recordedExpiryMs === null ? null : formatUtcTimestamp(new Date(recordedExpiryMs)) };
}
