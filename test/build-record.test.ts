import { describe, expect, it } from 'vitest';
import { buildRecord, type RecordInput } from '../src/log/build-record';
import { parseIpAddress } from '../src/geo/ip-address';
import type { Invocation } from '../src/invocation/invocation';

const BASE: RecordInput = { timestamp: new Date(Date.UTC(2026, 10, 28, 0, 12, 51, 134)), version: '9.9.9', durationMs: 3.1234567, outcome: 'success', reason: 'r', protocol: 'ossec' };
const invocation = (fields: Partial<Invocation>): Invocation => ({ protocol: 'wazuh4', action: 'add', extraArgs: [], ossecArgs: [], ...fields });

describe('buildRecord: the ECS categorisation of each record kind', () => {
  it.each([
    { title: 'add the policy blocks', input: { invocation: invocation({}), decision: { action: 'block' as const, reason: 'RU is in deny list' } }, type: ['denied'] },
    { title: 'add the policy spares', input: { invocation: invocation({}), decision: { action: 'allow' as const, reason: 'DE is not in deny list' } }, type: ['allowed'] },
    { title: 'add that only logs', input: { invocation: invocation({}), decision: { action: 'log' as const, reason: 'policy mode off' } }, type: ['info'] },
    { title: 'add whose firewall failed', input: { invocation: invocation({}), decision: { action: 'block' as const, reason: 'x' }, outcome: 'failure' as const }, type: ['denied', 'error'] },
    { title: 'delete', input: { invocation: invocation({ action: 'delete' }) }, type: ['info'] },
    { title: 'abort or skip (an add without decision)', input: { invocation: invocation({}) }, type: ['info'] },
    { title: 'input not understood', input: { outcome: 'failure' as const }, type: ['error'] },
  ])('$title: event.type $type', ({ input, type }) => {
    const record = buildRecord({ ...BASE, ...input });
    expect(record.event.type).toEqual(type);
    expect(record.event.category).toEqual(['intrusion_detection']);
    expect(record.ecs).toEqual({ version: '9.4.0' });
  });
});

describe('buildRecord: fields moved to their ECS places', () => {
  it('duration in nanoseconds, level as severity, users, the agent as observer, key order', () => {
    const record = buildRecord({
      ...BASE,
      address: parseIpAddress('203.0.113.7'),
      invocation: invocation({
        targetUser: 'root',
        sourceUser: 'bob',
        alertId: '1.2',
        rule: { id: '5710', level: 10, description: 'sshd' },
        agent: { id: '001', name: 'web1', ip: '::ffff:10.0.0.5' },
      }),
    });
    expect(record.event.duration).toBe(3_123_457);
    expect(record.event.severity).toBe(10);
    expect(record.user).toEqual({ name: 'bob', target: { name: 'root' } });
    expect(record.rule).toEqual({ id: '5710', description: 'sshd' });
    expect(record.observer).toEqual({ name: 'web1', ip: ['10.0.0.5'] });
    expect(record.geo_response.agent_id).toBe('001');
    expect(Object.keys(record)).toEqual(['message', '@timestamp', 'ecs', 'event', 'source', 'user', 'rule', 'observer', 'geo_response']);
    expect(Object.keys(record.event)).toEqual(['kind', 'module', 'dataset', 'category', 'type', 'action', 'outcome', 'reason', 'severity', 'duration']);
    expect(JSON.stringify(record)).not.toMatch(/"agent"|duration_ms|"level"/);
  });

  it('an agent address that is not one ("any", a name) gives no observer.ip', () => {
    const record = buildRecord({ ...BASE, invocation: invocation({ agent: { name: 'web2', ip: 'any' } }) });
    expect(record.observer).toEqual({ name: 'web2' });
    expect(buildRecord({ ...BASE, invocation: invocation({ agent: { ip: 'web2.example' } }) }).observer).toBeUndefined();
  });
});
