import type { PolicyDecision } from '../policy/decide.js';
import type { FindingKind } from './login-settings.js';

/**
 * What to do about a successful login: log, unless a finding is one logins.block names — then
 * block, unless a never-block rule of the policy (`safety`, from decideBuiltInSafety) applies.
 * The attack policy's country and ASN lists play no part: a login from a denied country is a
 * finding to report, not an attack. Pure.
 */
export function decideLoginAction(found: readonly FindingKind[], blockOn: readonly FindingKind[], safety: PolicyDecision | undefined): PolicyDecision {
  const blocking = found.filter((kind) => blockOn.includes(kind));
  if (blocking.length === 0) {
    const why = found.length === 0 ? 'successful login; no finding' : `successful login; ${found.join(' and ')} alerts only (not in logins.block)`;
    return { action: 'log', reason: why };
  }
  if (safety !== undefined) return { action: safety.action, reason: `${blocking.join(' and ')} is in logins.block, but ${safety.reason}` };
  return { action: 'block', reason: `${blocking.join(' and ')} is in logins.block` };
}
