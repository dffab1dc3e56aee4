/**
 * The shipped decoder and rules, checked without the daemons: well-formed XML, rule ids in the
 * documented local range and the same in both products, levels on the right side of the email
 * level, and — for Wazuh, whose analysisd cannot be built here — every field a rule reads exists
 * in records the real bundle writes for Wazuh 4 and OSSEC, and nothing is called srcip. The real
 * OSSEC running them is test/e2e-real-ossec.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeBundleHome } from './support/bundle-home.js';
import { runOssec, runWazuh4 } from './support/execd.js';
import type { MessageKind } from '../src/log/alert-message.js';

const AR = join(__dirname, '..', 'active-response');
const FILES = ['ossec.local_decoder.xml', 'ossec.local_rules.xml', 'wazuh.local_rules.xml'];
const read = (name: string) => readFileSync(join(AR, name), 'utf8');
const ID_RANGE = [109700, 109719] as const;
const EMAIL_LEVEL = 7;
/** The kinds that must reach the email level; every other kind stays below it. */
const EMAILED: MessageKind[] = ['blocked', 'failed', 'new_country', 'impossible_travel', 'new_country_and_travel'];
const ALL_KINDS: MessageKind[] = ['blocked', 'unblocked', 'logged', 'ended', 'failed', 'skipped', 'aborted', 'login', 'new_country', 'impossible_travel', 'new_country_and_travel'];

interface Rule {
  id: number;
  level: number;
  body: string;
}
function rules(xml: string): Rule[] {
  return [...xml.replace(/<!--[\s\S]*?-->/g, '').matchAll(/<rule id="(\d+)" level="(\d+)">([\s\S]*?)<\/rule>/g)].map((m) => ({ id: Number(m[1]), level: Number(m[2]), body: m[3]! }));
}
/** The kind a rule picks: OSSEC by the decoded action, Wazuh by the message's first word or the failure outcome. */
function kindOf(rule: Rule): string | undefined {
  return /<action>(\w+)<\/action>/.exec(rule.body)?.[1] ?? /<field name="message">\^geo-response: (\w+) <\/field>/.exec(rule.body)?.[1] ?? (/<field name="event.outcome">\^failure\$<\/field>/.test(rule.body) ? 'failed' : undefined);
}
function flatKeys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, item]) => flatKeys(item, prefix ? `${prefix}.${key}` : key));
}

describe('the shipped decoder and rules', () => {
  it.each(FILES)('%s is well-formed XML (xmllint; the files hold several top-level elements, as OSSEC reads them)', (name) => {
    const result = spawnSync('xmllint', ['--noout', '-'], { input: `<check>\n${read(name)}\n</check>\n`, encoding: 'utf8' });
    expect(result.error, 'xmllint (libxml2-utils) is needed').toBeUndefined();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each(['ossec', 'wazuh'])('%s: ids unique, in the local range, one rule per record kind, blocks and failures emailed, the rest not', (product) => {
    const list = rules(read(`${product}.local_rules.xml`));
    const ids = list.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id >= ID_RANGE[0] && id <= ID_RANGE[1], `rule ${id}`).toBe(true);
    // The parent: the record as decoded. OSSEC's is of category ossec (as the decoder's type), so the
    // stock syslog catch-alls 1002/1003 are never tried on it; Wazuh decodes with its own JSON
    // decoder (type syslog), so a second parent takes the record back from them.
    const bases = list.filter((rule) => kindOf(rule) === undefined);
    expect(bases.map((rule) => rule.body.match(/<if_sid>([^<]+)<\/if_sid>/)?.[1])).toEqual(product === 'ossec' ? [undefined] : [undefined, '1002, 1003']);
    if (product === 'ossec') expect(bases[0]!.body).toContain('<category>ossec</category>');
    for (const parent of bases) expect(parent.level).toBeLessThan(EMAIL_LEVEL);
    const children = list.filter((rule) => kindOf(rule) !== undefined);
    for (const child of children) expect(child.body).toContain(`<if_sid>${bases.map((rule) => rule.id).join(', ')}</if_sid>`);
    const kinds = children.map(kindOf);
    expect([...kinds].sort()).toEqual([...ALL_KINDS].sort());
    for (const child of children) {
      const emailed = EMAILED.includes(kindOf(child) as MessageKind);
      expect(child.level >= EMAIL_LEVEL, `rule ${child.id} (${kindOf(child)}) level ${child.level}`).toBe(emailed);
    }
  });

  it('OSSEC and Wazuh give each record kind the same id and level', () => {
    const table = (product: string) => rules(read(`${product}.local_rules.xml`)).filter((rule) => kindOf(rule) !== undefined).map((rule) => [kindOf(rule), rule.id, rule.level]);
    expect(table('wazuh')).toEqual(table('ossec'));
  });

  it('the OSSEC decoder decodes nothing as srcip and its rules read only what it decodes', () => {
    const decoder = read('ossec.local_decoder.xml').replace(/<!--[\s\S]*?-->/g, '');
    expect([...decoder.matchAll(/<order>([^<]*)<\/order>/g)].map((m) => m[1])).toEqual(['action']);
    // The event takes the type of the decoder that matched last: both are of type ossec.
    expect([...decoder.matchAll(/<type>([^<]*)<\/type>/g)].map((m) => m[1])).toEqual(['ossec', 'ossec']);
    expect(decoder).not.toMatch(/srcip/i);
    const ossecRules = read('ossec.local_rules.xml').replace(/<!--[\s\S]*?-->/g, '');
    expect(ossecRules).not.toMatch(/<(field|srcip|user|match|regex)\b/);
  });

  describe('Wazuh: the fields the rules read exist in real records', () => {
    const keys = new Set<string>();
    let messages: string[] = [];
    beforeAll(async () => {
      const home = makeBundleHome();
      const alert = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'messages', 'wazuh4-add.json'), 'utf8'));
      alert.parameters.alert.data.srcip = '203.0.113.45';
      await runWazuh4(alert, 'continue', { command: home.command, env: home.env });
      await runOssec('add - 198.51.100.7 1796306219.1 5712 /var/log/auth.log -', { command: home.command, env: home.env });
      await runOssec('add - not-an-address 1796306219.2 5712 /var/log/auth.log -', { command: home.command, env: home.env });
      const records = home.readRecords();
      expect(records.map((record) => record.geo_response.protocol)).toEqual(['wazuh4', 'ossec', 'ossec']);
      for (const record of records) for (const key of flatKeys(record)) keys.add(key);
      messages = records.map((record) => record.message as string);
    });

    it('every <field name> and $(field) of the Wazuh rules is a key of those records; no record has a srcip key', () => {
      const xml = read('wazuh.local_rules.xml').replace(/<!--[\s\S]*?-->/g, '');
      const used = new Set([...xml.matchAll(/<field name="([^"]+)">/g), ...xml.matchAll(/\$\(([^)]+)\)/g)].map((m) => m[1]!));
      expect([...used].sort()).toEqual(['event.module', 'event.outcome', 'message']);
      for (const field of used) expect(keys.has(field), field).toBe(true);
      expect([...keys].filter((key) => /(^|\.)srcip$/i.test(key))).toEqual([]);
    });

    it('the message patterns the rules use match what the records say', () => {
      expect(messages[0]).toMatch(/^geo-response: logged 203\.0\.113\.45 documentation \(policy mode off\) after rule 5763 on /);
      expect(messages[2]).toMatch(/^geo-response: failed not-an-address /);
      for (const message of messages) expect(message).toMatch(/^geo-response: (\w+) /);
    });
  });
});
