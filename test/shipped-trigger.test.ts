import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/*
 * The shipped <active-response> must fire on attacks, not on every alert of a level (which
 * includes file integrity and rootcheck alerts with no address). analysisd (OSSEC rules.c,
 * Wazuh rules.c) matches <rules_group> with OS_Regex against the rule's group string, e.g.
 * "syslog,sshd,authentication_failures,"; a pattern of plain words joined by | matches when
 * one of the words occurs in it.
 */
const ROOT = resolve(__dirname, '..');
const OSSEC_TARBALL_DIR = process.env.GEO_RESPONSE_OSSEC_DIR ?? resolve(ROOT, '..', 'shared', 'ossec');

const shipped = (product: string) => readFileSync(join(ROOT, 'active-response', `ossec.conf.${product}.xml`), 'utf8').replace(/<!--[\s\S]*?-->/g, '');
const rulesGroupOf = (xml: string) => /<rules_group>([^<]*)<\/rules_group>/.exec(xml)?.[1];
const matchesGroups = (pattern: string, groups: string) => pattern.split('|').some((word) => word !== '' && groups.includes(word));

describe.each(['ossec', 'wazuh'])('the shipped %s trigger', (product) => {
  const xml = shipped(product);
  const pattern = rulesGroupOf(xml) ?? '';

  it('names rule groups and no level (a level would also fire on alerts without an address)', () => {
    expect(pattern).not.toBe('');
    expect(xml).not.toMatch(/<level>/);
    expect(pattern).toMatch(/^[a-z_]+(\|[a-z_]+)*$/);
  });

  // Group strings as the rulesets of OSSEC 4.2 and Wazuh 4.14 build them (enclosing group, then the rule's own).
  it.each([
    { rule: 'sshd brute force (5712 OSSEC)', groups: 'syslog,sshd,authentication_failures,', fires: true },
    { rule: 'sshd brute force (5763 Wazuh)', groups: 'syslog,sshd,authentication_failures,pci_dss_11.4,', fires: true },
    { rule: 'sshd failed password (5716)', groups: 'syslog,sshd,authentication_failed,', fires: true },
    { rule: 'sshd invalid user (5710)', groups: 'syslog,sshd,invalid_login,authentication_failed,', fires: true },
    { rule: 'web attack returned 200 (31106)', groups: 'web,accesslog,attack,', fires: true },
    { rule: 'web scan (31151)', groups: 'web,accesslog,web_scan,recon,', fires: true },
    { rule: 'Windows logon failure (18106)', groups: 'windows,win_authentication_failed,', fires: true },
    { rule: 'file integrity changed (550)', groups: 'ossec,syscheck,syscheck_entry_modified,syscheck_file,', fires: false },
    { rule: 'rootcheck (510)', groups: 'ossec,rootcheck,', fires: false },
    { rule: 'sshd login success (5715)', groups: 'syslog,sshd,authentication_success,', fires: false },
    { rule: 'disk space low (531)', groups: 'ossec,low_diskspace,', fires: false },
  ])('$rule: fires $fires', ({ groups, fires }) => {
    expect(matchesGroups(pattern, groups)).toBe(fires);
  });
});

// The real OSSEC ruleset, from the source tarball: no syscheck or rootcheck rule fires it, the sshd brute force rules do.
const tarball = existsSync(OSSEC_TARBALL_DIR) ? readdirSync(OSSEC_TARBALL_DIR).find((name) => name.endsWith('.tar.gz')) : undefined;
describe.skipIf(tarball === undefined)(`the shipped OSSEC trigger against OSSEC's own rules (${tarball ?? `no tarball in ${OSSEC_TARBALL_DIR}`})`, () => {
  it('fires for brute force and web attacks, never for syscheck or rootcheck', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gr-ossec-rules-'));
    try {
      execFileSync('tar', ['-xzf', join(OSSEC_TARBALL_DIR, tarball!), '-C', dir, '--wildcards', '*etc/rules/*.xml']);
      const rulesDir = execFileSync('find', [dir, '-type', 'd', '-path', '*etc/rules'], { encoding: 'utf8' }).trim().split('\n')[0]!;
      const groupsById = new Map<string, string>();
      for (const file of readdirSync(rulesDir).filter((name) => name.endsWith('.xml'))) {
        const text = readFileSync(join(rulesDir, file), 'utf8').replace(/<!--[\s\S]*?-->/g, '');
        for (const block of text.matchAll(/<group name="([^"]*)">([\s\S]*?)<\/group>\s*(?=<group name=|$)/g)) {
          for (const rule of block[2]!.matchAll(/<rule id="(\d+)"[^>]*>([\s\S]*?)<\/rule>/g)) {
            const own = [...rule[2]!.matchAll(/<group>([^<]*)<\/group>/g)].map((m) => m[1]).join('');
            groupsById.set(rule[1]!, block[1]! + own);
          }
        }
      }
      const pattern = rulesGroupOf(shipped('ossec'))!;
      const firing = [...groupsById].filter(([, groups]) => matchesGroups(pattern, groups));
      expect(groupsById.size).toBeGreaterThan(500);
      expect(firing.map(([id]) => id)).toEqual(expect.arrayContaining(['5712', '5720', '31106']));
      expect(firing.filter(([, groups]) => /syscheck|rootcheck/.test(groups))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
