import { parseIpAddress, type IpAddress } from '../geo/ip-address.js';
import { classifyAddress, rangeContains, type AddressClass } from '../geo/special-ranges.js';
import type { PolicyConfig } from './config-schema.js';

export interface DecisionInput {
  action: 'add' | 'delete';
  address: IpAddress;
  addressClass: AddressClass;
  /** Absent when the country is unknown or the lookup failed. */
  countryIsoCode?: string;
  asNumber?: number;
  /** Whether an ASN database was consulted (so an unknown AS means "not in it", not "no data at all"). */
  asnDatabaseUsed?: boolean;
  /** Only where the protocol carries them: Wazuh alerts carry rule.level, OSSEC argv the rule id only. */
  ruleId?: string;
  ruleLevel?: number;
  /** The host's own addresses; never blocked. */
  hostAddresses: string[];
  /** The database failed: never block on a broken database. */
  lookupFailed: boolean;
}

export interface PolicyDecision {
  action: 'block' | 'allow' | 'log';
  reason: string;
}

// Blocking these would cut the host off from itself or its own segment; no configuration can ask for it.
const NEVER_BLOCKED_CLASSES: ReadonlySet<AddressClass> = new Set(['unspecified', 'loopback', 'link-local', 'multicast', 'broadcast']);
// Blocking a private neighbour is usually a lockout of one's own admins: it takes an explicit opt-in.
const PRIVATE_CLASSES: ReadonlySet<AddressClass> = new Set(['private', 'unique-local', 'cgnat']);

/** Decide what to do with one attacker address under the policy. Pure. */
export function decide(input: DecisionInput, policy: PolicyConfig): PolicyDecision {
  const safety = decideBuiltInSafety(input, policy);
  if (safety !== undefined) return safety;
  if (policy.mode === 'off') return { action: 'log', reason: 'policy mode off' };
  if (input.lookupFailed) return { action: 'log', reason: 'lookup failed; never blocking on a broken database' };

  const notes: string[] = [];
  const ruleDecision = decideRuleConditions(input, policy, notes);
  if (ruleDecision !== undefined) return ruleDecision;

  const decision = decideByPlace(input, policy);
  // An ASN list with no ASN data can never match: where a match would have changed the outcome,
  // say so rather than look like it was checked.
  const asnWouldMatter = decision.action !== (policy.mode === 'deny' ? 'block' : 'allow');
  if (policy.asns.length > 0 && input.asNumber === undefined && input.addressClass === 'public' && asnWouldMatter) notes.push(input.asnDatabaseUsed ? 'AS not in the ASN database; asns not checked' : 'AS unknown (no ASN database); asns not checked');
  return notes.length === 0 ? decision : { action: decision.action, reason: `${decision.reason} (${notes.join('; ')})` };
}

/**
 * The rules no configuration overrides, and never_block: the decision when one applies, else
 * undefined. Before everything else, the mode included, so the record of a loopback or
 * never_block address always says why it can never be blocked; login findings that block
 * (src/logins/) go through the same rules. Pure.
 */
export function decideBuiltInSafety(input: DecisionInput, policy: PolicyConfig): PolicyDecision | undefined {
  // The range is named only in these reasons: a public address (most alerts) is not classified again.
  const range = () => classifyAddress(input.address).network ?? input.address.text;
  if (NEVER_BLOCKED_CLASSES.has(input.addressClass)) {
    return { action: 'allow', reason: `${range()} never blocked (${input.addressClass})` };
  }
  if (isHostAddress(input.address, input.hostAddresses)) {
    return { action: 'allow', reason: `${input.address.text} is an address of this host; never blocked` };
  }
  if (PRIVATE_CLASSES.has(input.addressClass) && !policy.allow_private) {
    return { action: 'allow', reason: `${range()} never blocked (${input.addressClass}; allow_private is false)` };
  }
  const neverBlock = policy.never_block.find((cidr) => rangeContains(cidr, input.address));
  if (neverBlock !== undefined) return { action: 'allow', reason: `${neverBlock} is in never_block` };
  return undefined;
}

function isHostAddress(address: IpAddress, hostAddresses: string[]): boolean {
  return hostAddresses.some((raw) => {
    try {
      return parseIpAddress(raw).text === address.text;
    } catch {
      // An interface address we cannot parse (a zone id we do not expect) cannot equal a parsed attacker address.
      return false;
    }
  });
}

// Rule conditions apply only where the protocol carries the field; when it does not, the
// condition is skipped (blocking or not blocking on a guess would both be wrong) and the reason says so.
function decideRuleConditions(input: DecisionInput, policy: PolicyConfig, notes: string[]): PolicyDecision | undefined {
  const include = policy.rules.include.map(String);
  const exclude = policy.rules.exclude.map(String);
  if (input.ruleId === undefined) {
    if (include.length > 0 || exclude.length > 0) notes.push('rule id not carried; rules.include/exclude not applied');
  } else if (exclude.includes(input.ruleId)) {
    return { action: 'log', reason: `rule ${input.ruleId} is in rules.exclude` };
  } else if (include.length > 0 && !include.includes(input.ruleId)) {
    return { action: 'log', reason: `rule ${input.ruleId} is not in rules.include` };
  }
  if (policy.min_rule_level > 0) {
    if (input.ruleLevel === undefined) {
      notes.push(`rule level not carried; min_rule_level ${policy.min_rule_level} not applied`);
    } else if (input.ruleLevel < policy.min_rule_level) {
      return { action: 'log', reason: `rule level ${input.ruleLevel} is below min_rule_level ${policy.min_rule_level}` };
    }
  }
  return undefined;
}

// Documentation, benchmarking and reserved ranges have no country whatever a database says: they follow `unknown`.
function decideByPlace(input: DecisionInput, policy: PolicyConfig): PolicyDecision {
  const country = input.addressClass === 'public' ? input.countryIsoCode : undefined;
  const asListed = input.asNumber !== undefined && policy.asns.includes(input.asNumber);
  const countryListed = country !== undefined && policy.countries.includes(country);
  const listName = policy.mode === 'deny' ? 'deny list' : 'allow list';
  if (countryListed) return { action: policy.mode === 'deny' ? 'block' : 'allow', reason: `${country} is in ${listName}` };
  if (asListed) return { action: policy.mode === 'deny' ? 'block' : 'allow', reason: `AS${input.asNumber} is in ${listName}` };
  if (country === undefined) {
    const what = input.addressClass === 'public' ? 'country unknown' : `country unknown (${input.addressClass})`;
    return { action: policy.unknown, reason: `${what}; policy.unknown is ${policy.unknown}` };
  }
  return { action: policy.mode === 'deny' ? 'allow' : 'block', reason: `${country} is not in ${listName}` };
}
