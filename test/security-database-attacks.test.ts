/**
 * Issue 11, attacks through the geolocation databases: a database planted where the group can
 * write (Wazuh's etc/) is never used; a FIFO where a database should be does not hang the alert;
 * a crafted file at a trusted path whose pointers share subtrees (work exponential in its size,
 * depth within the cap) ends with a lookup error instead of a hang.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IS_ROOT } from './support/fake-install-tree.js';
import { makeRootDir, writeAsAttacker } from './support/attacker.js';
import {
  LAYOUTS,
  createRecorder,
  errorCodeOf,
  literal,
  makeFifo,
  readRecords,
  sendAlert,
  writeAdminConfig,
} from './support/attack-install.js';
import { useAttackScene } from './support/attack-scene.js';
import { oneCountryDatabase, pointerBombDatabase } from './support/tiny-mmdb.js';

const WAZUH = LAYOUTS.find((layout) => layout.product === 'wazuh')!;
const LOOKUP_EXIT_CODE = 5;
// 1.1.1.1 is AU in the embedded DB-IP database; the planted one says KP, which the admin denies.
const PLANTED_COUNTRY = 'KP';

const scene = useAttackScene();

function trustedDir(): string {
  const dir = makeRootDir('gr-sec-db-', 0o755);
  scene.keep(dir);
  return dir;
}

function recorder() {
  const made = createRecorder();
  scene.keep(made.dir);
  return made;
}

describe.skipIf(!IS_ROOT)('wazuh: a database planted in the group-writable etc/ (needs root)', () => {
  it('is not found by discovery: the embedded database answers and nothing is blocked', async () => {
    const target = scene.install(WAZUH);
    const rec = recorder();
    writeAdminConfig(target, { policy: { mode: 'deny', countries: [PLANTED_COUNTRY] }, firewall: { backend: 'command', command: [rec.program], expire_seconds: 0 } });
    const planted = path.join(target.home, 'etc', 'GeoIP2-City.mmdb');
    writeAsAttacker(scene.attacker(), planted, oneCountryDatabase(PLANTED_COUNTRY, 'North Korea'));
    expect(fs.statSync(planted).size).toBe(oneCountryDatabase(PLANTED_COUNTRY, 'North Korea').length);

    const result = await sendAlert(target);

    expect(rec.calls(), 'blocked on the planted database').toEqual([]);
    expect(result.code, result.stderr).toBe(0);
    const record = readRecords(target.geoLog).at(-1);
    expect(record?.source?.geo?.country_iso_code).toBe('AU');
    expect(JSON.stringify(record?.geo_response?.databases ?? [])).not.toMatch(literal(planted));
  });

  it('is refused even when the configuration names it: UNTRUSTED_PATH, nothing blocked', async () => {
    const target = scene.install(WAZUH);
    const rec = recorder();
    const planted = path.join(target.home, 'etc', 'GeoLite2-City.mmdb');
    writeAsAttacker(scene.attacker(), planted, oneCountryDatabase(PLANTED_COUNTRY, 'North Korea'));
    writeAdminConfig(target, {
      databases: { geo: 'etc/GeoLite2-City.mmdb' },
      policy: { mode: 'deny', countries: [PLANTED_COUNTRY] },
      firewall: { backend: 'command', command: [rec.program], expire_seconds: 0 },
    });

    const result = await sendAlert(target);

    expect(rec.calls(), 'blocked on the planted database').toEqual([]);
    expect(result.code).not.toBe(0);
    const record = readRecords(target.geoLog).at(-1);
    expect(record?.event?.outcome).toBe('failure');
    expect(errorCodeOf(record)).toBe('UNTRUSTED_PATH');
    expect(JSON.stringify(record)).toMatch(literal(path.join(target.home, 'etc')));
  });
});

describe.skipIf(!IS_ROOT).each(LAYOUTS)('$product: hostile database files (needs root)', (layout) => {
  it('a FIFO at the configured database path: the alert ends without hanging and records the failure', async () => {
    const target = scene.install(layout);
    const fifo = path.join(trustedDir(), 'GeoLite2-City.mmdb');
    makeFifo(fifo);
    writeAdminConfig(target, { databases: { geo: fifo } });

    const result = await sendAlert(target, { timeoutMs: 20_000 });

    expect(result.signal, 'killed by the 20 s test timeout: the run hung on the FIFO').toBeNull();
    expect(result.code).not.toBe(0);
    const record = readRecords(target.geoLog).at(-1);
    expect(record?.event?.outcome).toBe('failure');
    expect(JSON.stringify(record)).toMatch(literal(fifo));
  });

  it('a pointer bomb at a trusted path ends promptly with a lookup error', async () => {
    const target = scene.install(layout);
    const bomb = path.join(trustedDir(), 'GeoLite2-City.mmdb');
    fs.writeFileSync(bomb, pointerBombDatabase(), { mode: 0o644 });
    expect(fs.statSync(bomb).size).toBeLessThan(1024);
    writeAdminConfig(target, { databases: { geo: bomb } });

    const result = await sendAlert(target, { timeoutMs: 20_000 });

    expect(result.signal, 'killed by the 20 s test timeout: the lookup hung').toBeNull();
    expect(result.code, result.stderr).toBe(LOOKUP_EXIT_CODE);
    const record = readRecords(target.geoLog).at(-1);
    expect(record?.event?.outcome).toBe('failure');
    expect(record?.geo_response?.lookup_error ?? record?.event?.reason).toMatch(literal(bomb));
  });
});
