import { GeoResponseError } from '../errors.js';
import { describeViolation, type TrustViolation } from './trusted-path.js';

/** The failure of a file that runs code or decides a block but fails the trust rule: nothing is blocked on it. */
export function untrustedPathError(violation: TrustViolation, what: string): GeoResponseError {
  return new GeoResponseError(`${what}: ${describeViolation(violation)}`, { code: 'UNTRUSTED_PATH', kind: 'config' });
}
