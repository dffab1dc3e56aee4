import { describe, expect, it } from 'vitest';
import { alertMessage, messageKind } from '../src/log/alert-message.js';
import type { GeoLogRecord } from '../src/log/record.js';

type Fields = Omit<GeoLogRecord, 'message'>;
const ev = (action: 'add' | 'delete', outcome: 'success' | 'failure', reason: string): Fields['event'] => ({
  kind: 'event',
  module: 'geo-response',
  dataset: 'geo-response.log',
  category: ['intrusion_detection'],
  type: ['info'],
  action,
  outcome,
  reason,
  duration: 3000000,
});
const base = (over: Partial<Fields> & { own?: Partial<Fields['geo_response']> } = {}): Fields => {
  const { own, ...rest } = over;
  return {
    '@timestamp': '2026-12-03T14:00:00.000Z',
    ecs: { version: '9.4.0' },
    event: ev('add', 'success', 'add 95.108.213.1 (RU): RU is in deny list; firewall blocked'),
    source: { ip: '95.108.213.1', geo: { country_iso_code: 'RU', country_name: 'Russia', region_name: 'Moscow', city_name: 'Moscow' }, as: { number: 13238, organization: { name: 'YANDEX LLC' } } },
    rule: { id: '5712' },
    ...rest,
    geo_response: {
      version: '0.1.0',
      protocol: 'ossec',
      location: '(web1) 10.0.0.5->/var/log/auth.log',
      address_class: 'public',
      decision: { action: 'block', reason: 'RU is in deny list' },
      firewall: { backend: 'nftables', result: 'blocked' },
      ...own,
    },
  };
};

describe('the record message (the line alerts and emails show)', () => {
  it('a block: kind, address, CC,Region,City, AS and owner, why, the rule and where the event was', () => {
    expect(alertMessage(base())).toBe('geo-response: blocked 95.108.213.1 RU,Moscow,Moscow AS13238 YANDEX LLC (RU is in deny list) after rule 5712 on (web1) 10.0.0.5->/var/log/auth.log');
  });

  it.each([
    { title: 'already blocked counts as blocked', record: base({ own: { firewall: { backend: 'nftables', result: 'already-blocked' } } }), kind: 'blocked' },
    { title: 'a log-only add', record: base({ own: { decision: { action: 'log', reason: 'policy mode off' }, firewall: undefined } }), kind: 'logged' },
    { title: 'a dry run only plans', record: base({ own: { firewall: { backend: 'nftables', result: 'planned', dry_run: true } } }), kind: 'logged' },
    { title: 'a delete that lifted a block', record: base({ event: ev('delete', 'success', 'x'), own: { firewall: { backend: 'nftables', result: 'unblocked' } } }), kind: 'unblocked' },
    { title: 'a delete with nothing blocked', record: base({ event: ev('delete', 'success', 'x'), own: { decision: undefined, firewall: undefined } }), kind: 'ended' },
    { title: 'a failure', record: base({ event: ev('add', 'failure', 'nft failed'), own: { error_code: 'FIREWALL_FAILED', firewall: { backend: 'nftables', result: 'failed' } } }), kind: 'failed' },
    { title: 'execd answered abort', record: base({ own: { handshake: 'abort', decision: undefined, firewall: undefined } }), kind: 'aborted' },
    { title: 'no address', record: { ...base(), source: undefined }, kind: 'skipped' },
  ])('$title: $kind', ({ record, kind }) => {
    expect(messageKind(record)).toBe(kind);
    expect(alertMessage(record).startsWith(`geo-response: ${kind} `)).toBe(true);
  });

  it('says why on failure, with the error code, and keeps an unparsable address after the kind', () => {
    const record = base({ event: ev('add', 'failure', 'invalid source IP "1.2.3" '), source: undefined, own: { raw_ip: '1.2.3 blocked', error_code: 'INVALID_IP', decision: undefined, firewall: undefined, address_class: undefined } });
    expect(alertMessage(record)).toBe('geo-response: failed 1.2.3 blocked (INVALID_IP: invalid source IP "1.2.3" ) after rule 5712 on (web1) 10.0.0.5->/var/log/auth.log');
  });

  it('names the range of a special address, or says the location is unknown', () => {
    expect(alertMessage(base({ source: { ip: '10.1.2.3' }, own: { address_class: 'private' } }))).toContain(' 10.1.2.3 private (');
    expect(alertMessage(base({ source: { ip: '41.0.0.1' } }))).toContain(' 41.0.0.1 location-unknown (');
    expect(alertMessage(base({ source: { ip: '1.0.9.9', geo: { country_iso_code: 'CN' } } }))).toContain(' 1.0.9.9 CN (');
  });

  it('is one line of bounded length whatever the input carries', () => {
    const record = base({ own: { location: `/var/log/a\nb\r\u0000c${'x'.repeat(5000)}` } });
    const message = alertMessage(record);
    expect(message).not.toMatch(/[\u0000-\u001f]/);
    expect(message).toContain('/var/log/a b c');
    expect(message.length).toBe(901);
  });
});
