import { describe, expect, it } from 'vitest';
import { createConfigSource, loadConfig, readLastValidatedConfig, type ValidatedConfigCache } from '../src/respond/load-config';
import { defaultConfig } from '../src/policy/default-config';

function memoryCache(own?: string, anyBuild?: string): ValidatedConfigCache & { written: string[] } {
  const written: string[] = [];
  return { written, read: () => own, write: (contents) => void written.push(contents), readNewestOfAnyBuild: () => anyBuild };
}

const DENY_RU = JSON.stringify({ policy: { mode: 'deny', countries: ['RU'] }, firewall: { backend: 'nftables' } });

describe('loadConfig and its cache', () => {
  it('no file: the defaults, nothing cached', async () => {
    const cache = memoryCache();
    expect(await loadConfig(createConfigSource('/x.json', () => undefined), cache)).toEqual(defaultConfig());
    expect(cache.written).toEqual([]);
  });

  it('a new text is validated and cached with its text', async () => {
    const cache = memoryCache();
    const config = await loadConfig(createConfigSource('/x.json', () => DENY_RU), cache);
    expect(config.policy.countries).toEqual(['RU']);
    expect(JSON.parse(cache.written[0]!)).toEqual({ text: DENY_RU, config });
  });

  it('the same text reuses the cached result; another text is validated again', async () => {
    const cached = JSON.stringify({ text: DENY_RU, config: { ...defaultConfig(), policy: { ...defaultConfig().policy, countries: ['CACHED'] } } });
    expect((await loadConfig(createConfigSource('/x.json', () => DENY_RU), memoryCache(cached))).policy.countries).toEqual(['CACHED']);
    await expect(loadConfig(createConfigSource('/x.json', () => '{"policy":{"mode":"nope"}}'), memoryCache(cached))).rejects.toThrowError(/policy\.mode/);
  });

  // Not the defaults: a reader that ignored the cache would not find these.
  const LAST_VALID = { ...defaultConfig(), policy: { ...defaultConfig().policy, mode: 'deny' as const, countries: ['RU'] } };
  it.each([
    ['this build', memoryCache(JSON.stringify({ text: 'x', config: LAST_VALID }))],
    ['another build', memoryCache(undefined, JSON.stringify({ text: 'x', config: LAST_VALID }))],
  ])('the last validated configuration of %s is there for a delete', (_, cache) => {
    expect(readLastValidatedConfig(cache)).toEqual(LAST_VALID);
  });

  it.each([
    ['no cache at all', undefined],
    ['an empty cache', memoryCache()],
    ['a torn entry', memoryCache('{"text":"x","conf')],
    ['an entry of another shape', memoryCache(JSON.stringify({ text: 'x', config: {} }))],
  ])('nothing to fall back on: %s', (_, cache) => {
    expect(readLastValidatedConfig(cache)).toBeUndefined();
  });
});
