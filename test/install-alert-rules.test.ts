/**
 * install.sh registers the decoder and rules that turn geo records into alerts (and the geo log's
 * <localfile>), keeps an admin's edits to them on upgrade, and removes them on uninstall, on
 * trees laid out like real OSSEC and Wazuh installs. The real OSSEC loading them is
 * test/e2e-real-ossec.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type Account,
  type FakeTree,
  type Product,
  assertWellFormedOssecConf,
  createFakeTree,
  createTestAccount,
  ensureBuilt,
  ownership,
  removeAccount,
  removeFakeTree,
  runInstall,
  IS_ROOT,
} from './support/fake-install-tree.js';

interface Case {
  product: Product;
  rules: string;
  /** Where the decoder goes; Wazuh decodes the log with its own JSON decoder. */
  decoder?: string;
  logFormat: string;
}
const CASES: Case[] = [
  { product: 'ossec', rules: 'rules/local_rules.xml', decoder: 'etc/local_decoder.xml', logFormat: 'syslog' },
  { product: 'wazuh', rules: 'etc/rules/local_rules.xml', logFormat: 'json' },
];
const BEGIN = '<!-- BEGIN geo-response: added by geo-response install.sh -->';
const END = '<!-- END geo-response -->';

describe.skipIf(!IS_ROOT)('install.sh: the decoder, rules and <localfile> for the geo log (needs root: chown)', () => {
  const accounts = new Map<Product, Account>();
  let tree: FakeTree | undefined;
  beforeAll(() => {
    ensureBuilt();
    for (const { product } of CASES) accounts.set(product, createTestAccount(product));
  });
  afterEach(() => {
    removeFakeTree(tree);
    tree = undefined;
  });
  afterAll(() => {
    for (const account of accounts.values()) removeAccount(account);
  });

  const install = (args: string[] = []) => {
    const result = runInstall(['--prefix', tree!.home, ...args]);
    expect(result.code, result.stderr).toBe(0);
    return result;
  };
  const read = (relative: string) => fs.readFileSync(path.join(tree!.home, relative), 'utf8');
  const ourBlock = (text: string) => text.slice(text.indexOf(BEGIN), text.indexOf(END) + END.length);

  it.each(CASES)('$product: --apply adds them, a second run changes nothing, --uninstall restores the files byte for byte', ({ product, rules, decoder, logFormat }) => {
    const account = accounts.get(product)!;
    tree = createFakeTree({ product, account });
    const stockRules = read(rules);
    const stockDecoder = product === 'wazuh' ? read('etc/decoders/local_decoder.xml') : undefined;

    install(['--apply']);
    const conf = read('etc/ossec.conf');
    assertWellFormedOssecConf(conf);
    expect(ourBlock(conf)).toContain(`<localfile>\n    <log_format>${logFormat}</log_format>\n    <location>${tree.home}/logs/geo-response.log</location>\n  </localfile>`);
    const rulesText = read(rules);
    expect(rulesText.startsWith(stockRules)).toBe(true);
    expect(rulesText.slice(stockRules.length)).toBe(`${BEGIN}\n${fs.readFileSync(path.join(__dirname, '..', 'active-response', `${product}.local_rules.xml`), 'utf8')}${END}\n`);
    assertWellFormedOssecConf(rulesText);
    if (decoder) {
      expect(read(decoder)).toBe(`${BEGIN}\n${fs.readFileSync(path.join(__dirname, '..', 'active-response', 'ossec.local_decoder.xml'), 'utf8')}${END}\n`);
      expect(ownership(path.join(tree.home, decoder))).toEqual({ uid: 0, gid: account.gid, mode: '640' });
    } else {
      expect(read('etc/decoders/local_decoder.xml')).toBe(stockDecoder);
      expect(fs.existsSync(path.join(tree.home, 'etc', 'local_decoder.xml'))).toBe(false);
    }

    const again = install(['--apply']);
    expect(read(rules)).toBe(rulesText);
    expect(again.stdout).toContain(`keep ${path.join(tree.home, rules)}: the geo-response blocks are already there`);

    const removed = install(['--uninstall']);
    expect(read(rules)).toBe(stockRules);
    expect(read('etc/ossec.conf')).not.toContain('geo-response.log');
    if (decoder) {
      expect(fs.existsSync(path.join(tree.home, decoder))).toBe(false);
      expect(removed.stdout).toContain(`remove ${path.join(tree.home, decoder)} (it held only the geo-response decoder)`);
    }
  });

  it.each(CASES)('$product: an upgrade keeps rules the admin edited (a level, an id) and says so', ({ product, rules }) => {
    tree = createFakeTree({ product, account: accounts.get(product)! });
    install(['--apply']);
    const edited = read(rules).replace('<rule id="109701" level="8">', '<rule id="119701" level="12">');
    expect(edited).toContain('<rule id="119701" level="12">');
    fs.writeFileSync(path.join(tree.home, rules), edited);
    const upgrade = install(['--apply']);
    expect(read(rules)).toBe(edited);
    expect(upgrade.stdout).toContain(`keep the geo-response blocks in ${path.join(tree.home, rules)} as you edited them`);
    expect(upgrade.stdout).toContain('yours:          <rule id="119701" level="12">');
    expect(upgrade.stderr).toBe('');
  });

  it('an OSSEC local_decoder.xml of the admin keeps its decoders; ours goes at its end and leaves with --uninstall', () => {
    tree = createFakeTree({ product: 'ossec', account: accounts.get('ossec')! });
    const mine = '<decoder name="my-app">\n  <prematch>^my-app: </prematch>\n</decoder>';
    fs.writeFileSync(path.join(tree.home, 'etc', 'local_decoder.xml'), mine);
    install(['--apply']);
    const text = read('etc/local_decoder.xml');
    expect(text.startsWith(`${mine}\n${BEGIN}\n`)).toBe(true);
    install(['--uninstall']);
    expect(read('etc/local_decoder.xml')).toBe(`${mine}\n`);
  });

  it('without --apply it prints every block for pasting, and changes none of the files', () => {
    tree = createFakeTree({ product: 'ossec', account: accounts.get('ossec')! });
    const before = read('rules/local_rules.xml');
    const printed = install().stdout;
    expect(printed).toContain(`<location>${tree.home}/logs/geo-response.log</location>`);
    expect(printed).toContain(`and at the end of ${tree.home}/etc/local_decoder.xml:`);
    expect(printed).toContain(`and at the end of ${tree.home}/rules/local_rules.xml:`);
    expect(printed).toContain('<rule id="109701" level="8">');
    expect(read('rules/local_rules.xml')).toBe(before);
    expect(fs.existsSync(path.join(tree.home, 'etc', 'local_decoder.xml'))).toBe(false);
  });
});
