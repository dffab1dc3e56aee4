import { describe, expect, it } from 'vitest';
import { GeoResponseError } from '../src/errors';
import { FirewallCommandError } from '../src/firewall/firewall-error';

describe('GeoResponseError and instanceof', () => {
  const plain = new GeoResponseError('lock busy', { code: 'FIREWALL_LOCK_TIMEOUT', kind: 'command' });
  const failed = new FirewallCommandError({ program: '/usr/sbin/nft', args: ['list', 'ruleset'] }, { exitCode: 1, stdout: '', stderr: 'no', timedOut: false });

  it('recognises an error of another bundled copy of the class by its brand', () => {
    // What a lazily loaded part's own copy of the class produces: another prototype, the same brand.
    const fromAnotherCopy = Object.assign(Object.create(Error.prototype) as object, { [Symbol.for('geo-response.GeoResponseError')]: true });
    expect(fromAnotherCopy instanceof GeoResponseError).toBe(true);
    expect(new Error('x') instanceof GeoResponseError).toBe(false);
  });

  it('keeps subclasses to their own instances', () => {
    expect(failed instanceof GeoResponseError).toBe(true);
    expect(failed instanceof FirewallCommandError).toBe(true);
    expect(plain instanceof FirewallCommandError).toBe(false);
  });
});
