/**
 * The README's first use, as an admin types it: its smallest configuration, then `check` on its
 * sample address with the database that ships (the embedded DB-IP Lite), must answer "block".
 * An update of the DB-IP package that moved the address would make the README wrong.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeBundleHome, REPO_ROOT, TEST_NODE } from './support/bundle-home.js';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const section = README.slice(README.indexOf('## The smallest useful configuration'), README.indexOf('## Read on'));

describe('the README\'s smallest useful configuration', () => {
  it('check on its sample address says block, with the embedded database', () => {
    const config = /```json\n([\s\S]*?)```/.exec(section)?.[1];
    const checkLine = /geo-response check (\S+)\s+# .*"block"/.exec(section);
    expect(config).toBeDefined();
    expect(checkLine).not.toBeNull();
    const home = makeBundleHome();
    home.writeConfig(config!);
    const result = spawnSync(TEST_NODE, [home.exe, 'check', checkLine![1]!], { env: home.env, cwd: '/', encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(new RegExp(`sample ${checkLine![1]!.replace(/\./g, '\\.')} \\(RU[,)].*: block — RU is in deny list`));
  });
});
