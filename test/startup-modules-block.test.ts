import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBundleHome, TEST_NODE } from './support/bundle-home';
import { listBlocked } from './support/firewall-state.js';
import { createNetns, deleteNetns, whyNoNetns } from './support/netns.js';

// A blocking alert is measured against one bare Node start (design §7): it may load what running
// nft takes (child_process and what it pulls in), but not zlib: its firewall part is stored as it
// is (parts-file.ts). That the part holds no execa is executable-caches.test.ts's to check.
const skip = whyNoNetns(['nft']);

describe.skipIf(skip !== undefined)(`start-up of a blocking alert (nftables)${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let ns = '';
  beforeAll(() => {
    ns = createNetns('mods');
  });
  afterAll(() => deleteNetns(ns));

  it('loads child_process to run nft, and not zlib', () => {
    const home = makeBundleHome();
    home.writeConfig({ policy: { mode: 'allow', countries: [], unknown: 'block' }, firewall: { backend: 'nftables', expire_seconds: 600 } });
    const dir = mkdtempSync(join(tmpdir(), 'gr-modules-block-'));
    const out = join(dir, 'modules.txt');
    const preload = join(dir, 'preload.cjs');
    writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, process.moduleLoadList.join('\\n')));\n`);
    const block = (ip: string) => {
      const result = spawnSync('/usr/sbin/ip', ['netns', 'exec', ns, TEST_NODE, '-r', preload, home.exe, 'add', '-', ip, '1795823765.1', '5710', '/var/log/auth.log', '-'], { cwd: '/', env: home.env, encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      return readFileSync(out, 'utf8').split('\n');
    };
    block('81.2.69.142'); // the first block writes the firewall part's code cache
    const loaded = block('81.2.69.143');
    expect(listBlocked(ns, 'nftables', 4)).toEqual(expect.arrayContaining(['81.2.69.142', '81.2.69.143']));
    expect(loaded).toContain('NativeModule child_process');
    expect(loaded.filter((name) => /\bzlib\b/.test(name))).toEqual([]);
    expect(home.readRecords().at(-1)!.geo_response.firewall).toMatchObject({ result: 'blocked' });
    const bin = join(home.home, 'active-response', 'bin');
    const partsFile = readdirSync(bin).find((name) => name.endsWith('.parts'))!;
    expect(readFileSync(join(bin, partsFile), 'latin1')).toMatch(/\nfirewall \d+ \d+ fnv1a32=[0-9a-f]{8}\n/);
  });
});

