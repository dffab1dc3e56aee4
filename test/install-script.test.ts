/**
 * install.sh as a POSIX script, and the active-response/ folder it installs
 * from: the configuration snippets and the example policy.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../src/policy/config-schema.js';
import { INSTALL_SH, REPO_ROOT, assertWellFormedOssecConf, runInstall } from './support/fake-install-tree.js';

const SNIPPETS = path.join(REPO_ROOT, 'active-response');

describe('install.sh as a script', () => {
  const shells = ['/bin/sh', '/usr/bin/dash', '/bin/bash'].filter((shell) => fs.existsSync(shell));

  it.each(shells)('parses with %s -n', (shell) => {
    const result = spawnSync(shell, ['-n', INSTALL_SH], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('is executable and starts with #!/bin/sh and set -eu', () => {
    const text = fs.readFileSync(INSTALL_SH, 'utf8');
    expect(fs.statSync(INSTALL_SH).mode & 0o111).not.toBe(0);
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(text).toMatch(/^set -eu$/m);
  });

  it('--help lists every option and exits 0 without looking for an installation', () => {
    const result = runInstall(['--help']);
    expect(result.code).toBe(0);
    for (const option of ['--prefix DIR', '--node PATH', '--group NAME', '--apply', '--dry-run', '--uninstall', '--purge']) {
      expect(result.stdout).toContain(option);
    }
  });
});

describe('the active-response/ folder', () => {
  it('the example policy uses the design keys, only logs, and passes the configuration schema', () => {
    const example = JSON.parse(fs.readFileSync(path.join(SNIPPETS, 'geo-response.example.json'), 'utf8'));
    expect(Object.keys(example).sort()).toEqual(['databases', 'firewall', 'log', 'logins', 'policy']);
    // Login findings alert only (docs/logins.md); the stock success rule ids apply (not repeated here).
    expect(example.logins.block).toEqual([]);
    expect(example.logins.success_rules).toBeUndefined();
    expect(Object.keys(example.policy).sort()).toEqual(
      ['allow_private', 'asns', 'countries', 'min_rule_level', 'mode', 'never_block', 'rules', 'unknown'].sort(),
    );
    expect(example.policy.mode).toBe('off');
    expect(example.firewall.backend).toBe('none');
    const parsed = configSchema.safeParse(example);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });

  it.each([
    { file: 'ossec.conf.ossec.xml', expect: true },
    { file: 'ossec.conf.wazuh.xml', expect: false },
  ])('$file is well-formed, stateful, and has <expect>srcip</expect>: $expect', ({ file, expect: hasExpect }) => {
    const text = fs.readFileSync(path.join(SNIPPETS, file), 'utf8');
    assertWellFormedOssecConf(text);
    expect(text).toMatch(/<command>\s*<name>geo-response<\/name>\s*<executable>geo-response<\/executable>/);
    expect(text).toContain('<timeout_allowed>yes</timeout_allowed>');
    expect(text).toMatch(/<active-response>[^]*<command>geo-response<\/command>[^]*<timeout>\d+<\/timeout>/);
    expect(text.includes('<expect>srcip</expect>')).toBe(hasExpect);
    // install.sh wraps the snippet in marker comments: a "--" inside a comment would break the XML.
    for (const comment of text.match(/<!--([^]*?)-->/g) ?? []) expect(comment.slice(4, -3)).not.toContain('--');
  });
});
