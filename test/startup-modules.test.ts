import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBundleHome, TEST_NODE } from './support/bundle-home';
import { runWazuh4, runWazuh5 } from './support/execd';

// What an alert costs is mostly what it loads (see docs/performance.md): a log-only OSSEC alert
// may load no Node built-in beyond what `node -e 0` loads, except vm (the code cache's loader).
// A stray top-level import of child_process, net or perf_hooks costs every alert milliseconds.
// Node 18's process.exit (an alert exits once its record is written) loads one internal module
// that later Node versions have in their start-up snapshot.
const ALLOWED_EXTRA = ['NativeModule vm', 'NativeModule internal/modules/esm/handle_process_exit'];

/** A preload that writes the modules a process loaded to a file as it exits. */
function modulesPreload(): { preload: string; read(): string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'gr-modules-'));
  const out = join(dir, 'modules.txt');
  const preload = join(dir, 'preload.cjs');
  writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, process.moduleLoadList.join('\\n')));\n`);
  return { preload, read: () => readFileSync(out, 'utf8').split('\n') };
}

function loadedModules(args: string[], env: NodeJS.ProcessEnv): string[] {
  const { preload, read } = modulesPreload();
  const result = spawnSync(TEST_NODE, ['-r', preload, ...args], { cwd: '/', env, encoding: 'utf8' });
  expect(result.status, result.stderr).toBe(0);
  return read();
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

  // Wazuh's execd gives pipes: process.stdin/stdout would build net.Socket streams (net, stream),
  // 2–3.4 ms of an alert. The alert reads and writes them by fd instead (execd-stdio.ts).
  const WAZUH4_ADD = readFileSync(join(__dirname, 'fixtures', 'messages', 'wazuh4-add.json'), 'utf8').trim();
  const WCS_ENABLE = readFileSync(join(__dirname, 'fixtures', 'messages', 'wcs-enable.json'), 'utf8').trim();
  it.each([
    ['Wazuh 4 add', (command: string[], env: NodeJS.ProcessEnv) => runWazuh4(WAZUH4_ADD, 'continue', { command, env })],
    ['Wazuh 5 enable', (command: string[], env: NodeJS.ProcessEnv) => runWazuh5(WCS_ENABLE, { command, env })],
  ])('%s with its check_keys handshake over pipes, log only: loads nothing that node -e 0 does not (no net, no stream)', async (_, run) => {
    const home = makeBundleHome();
    const loaded = async () => {
      const { preload, read } = modulesPreload();
      const result = await run([TEST_NODE, '-r', preload, home.exe], home.env);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout.split('\n')[0] ?? '')).toMatchObject({ command: 'check_keys' });
      return read();
    };
    await loaded(); // the first alert writes the caches
    const baseline = new Set(loadedModules(['-e', '0'], home.env));
    const modules = await loaded();
    expect(modules.filter((name) => !baseline.has(name) && !ALLOWED_EXTRA.includes(name))).toEqual([]);
    expect(modules).not.toContain('NativeModule net');
    expect(home.readRecords().map((record) => record.geo_response.handshake)).toEqual(['continue', 'continue']);
  });
});
