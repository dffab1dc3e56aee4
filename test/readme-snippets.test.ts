import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

// The README and the docs show shipped files (the blocks install.sh prints, the Filebeat inputs,
// the report's table): a block introduced by "(`path`):" must say what that file says.
const ROOT = join(__dirname, '..');
const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

// XML without its comments, one element per line, blank lines dropped; other text with trailing blanks trimmed.
const normalise = (text: string, language: string) =>
  (language === 'xml' ? text.replace(/<!--[\s\S]*?-->/g, '') : text)
    .split('\n')
    .map((line) => (language === 'xml' ? line.trim() : line.trimEnd()))
    .filter((line) => language !== 'xml' || line !== '')
    .join('\n')
    .trim();

interface Snippet {
  page: string;
  file: string;
  language: string;
  text: string;
}

function findSnippets(page: string): Snippet[] {
  const markdown = readFileSync(join(ROOT, page), 'utf8');
  return [...markdown.matchAll(/\(`([^`\s]+)`\):\n+```(\w*)\n([\s\S]*?)```/g)].map((match) => ({ page, file: match[1]!, language: match[2]!, text: match[3]! }));
}

const SNIPPETS = PAGES.flatMap(findSnippets);

describe('snippets of shipped files in the README and docs/', () => {
  it('the pages show the files a reader copies from (the ossec.conf blocks, the Filebeat inputs, the report table)', () => {
    expect(SNIPPETS.map((snippet) => `${snippet.page}: ${snippet.file}`).sort()).toEqual(
      [
        'docs/geo-log.md: active-response/filebeat/geo-response-log-input.yml',
        'docs/geo-log.md: active-response/filebeat/geo-response.yml',
        'docs/install-and-upgrade.md: active-response/ossec.conf.ossec.xml',
        'docs/install-and-upgrade.md: active-response/ossec.conf.wazuh.xml',
        'docs/report.md: docs/report-table.txt',
      ].sort(),
    );
  });

  it.each(SNIPPETS.map((snippet) => [`${snippet.page}: ${snippet.file}`, snippet] as const))('%s', (_title, snippet) => {
    const path = join(ROOT, snippet.file);
    expect(existsSync(path), `${snippet.page} names ${snippet.file}`).toBe(true);
    expect(normalise(snippet.text, snippet.language)).toBe(normalise(readFileSync(path, 'utf8'), snippet.language));
  });

  it('every docs/ page the README links to exists, and every page is linked from the README', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const linked = [...readme.matchAll(/\]\((docs\/[^)#]+\.md)\)/g)].map((match) => match[1]!);
    for (const page of linked) expect(existsSync(join(ROOT, page)), page).toBe(true);
    expect(new Set(linked)).toEqual(new Set(PAGES.filter((page) => page !== 'README.md')));
  });

  it.each(PAGES)('%s: every relative link points at a file that exists', (page) => {
    const markdown = readFileSync(join(ROOT, page), 'utf8');
    const targets = [...markdown.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z]+:/.test(target));
    const missing = targets.filter((target) => !existsSync(join(ROOT, dirname(page), target)));
    expect(missing).toEqual([]);
  });

  it('the README keeps the test command CI runs', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toMatch(/^npm test\b/m);
  });
});
