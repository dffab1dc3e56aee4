import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBundleHome, TEST_NODE } from './support/bundle-home';

// What an alert costs is mostly what it loads (see docs/performance.md): a log-only OSSEC alert
// may load no Node built-in beyond what `node -e 0` loads, except vm (the code cache's loader).
// A stray top-level import of child_process, net or perf_hooks costs every alert milliseconds.
// Node 18's process.exit (an alert exits once its record is written) loads one internal module
// that later Node versions have in their start-up snapshot.
const ALLOWED_EXTRA = ['NativeModule vm', 'NativeModule internal/modules/esm/handle_process_exit'];

function loadedModules(args: string[], env: NodeJS.ProcessEnv): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'gr-modules-'));
  const out = join(dir, 'modules.txt');
  const preload = join(dir, 'preload.cjs');
  writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, process.moduleLoadList.join('\\n')));\n`);
  const result = spawnSync(TEST_NODE, ['-r', preload, ...args], { cwd: '/', env, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return readFileSync(out, 'utf8').split('\n');
}

describe('start-up of an alert', () => {
  it.each([
    ['log only, no configuration', undefined],
    ['a policy that blocks nothing for this address, with its configuration', { policy: { mode: 'deny', countries: ['CN'] } }],
  ])('%s: loads nothing that node -e 0 does not', (_, config) => {
    const home = makeBundleHome();
    if (config) home.writeConfig(config);
    const alert = [home.exe, 'add', '-', '81.2.69.142', '1795823765.1', '5710', '/var/log/auth.log', '-'];
    loadedModules(alert, home.env); // the first alert writes the caches; the second is the one that counts
    const baseline = new Set(loadedModules(['-e', '0'], home.env));
    const extra = loadedModules(alert, home.env).filter((name) => !baseline.has(name));
    expect(extra.filter((name) => !ALLOWED_EXTRA.includes(name))).toEqual([]);
  });
});
