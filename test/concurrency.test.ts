import { describe, expect, it } from 'vitest';
import { runOssec } from './support/execd';
import { makeBundleHome } from './support/bundle-home';

describe('concurrent invocations', () => {
  it('100 concurrent adds append exactly 100 whole records', async () => {
    const home = makeBundleHome();
    const ips = Array.from({ length: 100 }, (_, i) => `81.2.${Math.floor(i / 50)}.${(i % 50) + 1}`);
    const results = await Promise.all(ips.map((ip, i) => runOssec(`add - ${ip} 1795823765.${i} 5710 /var/log/auth.log -`, { command: home.command, env: home.env })));
    expect(results.map((r) => r.code)).toEqual(ips.map(() => 0));
    const lines = home.readLogText().split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(100);
    const records = lines.map((line) => JSON.parse(line));
    expect(records.map((r) => r.source.ip).sort()).toEqual([...ips].sort());
    expect(new Set(records.map((r) => r.geo_response.alert_id)).size).toBe(100);
    expect(records.every((r) => r.event.outcome === 'success' && typeof r.source.geo?.country_iso_code === 'string')).toBe(true);
  });
});
