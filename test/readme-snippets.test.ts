import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The README shows the blocks install.sh prints; they must say what the shipped files say.
const ROOT = join(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

// The file's XML without its comments, one element per line, blank lines dropped.
const normalise = (xml: string) =>
  xml
    .replace(/<!--[\s\S]*?-->/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('\n');

describe('README configuration blocks', () => {
  it.each(['ossec', 'wazuh'])('the %s block is active-response/ossec.conf.%s.xml', (product) => {
    const file = `active-response/ossec.conf.${product}.xml`;
    const at = README.indexOf(`(\`${file}\`):`);
    expect(at, `README names ${file}`).toBeGreaterThan(-1);
    const block = /```xml\n([\s\S]*?)```/.exec(README.slice(at))?.[1] ?? '';
    expect(normalise(block)).toBe(normalise(readFileSync(join(ROOT, file), 'utf8')));
  });
});
