import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSections, formatSectionsFunction, parseEmbeddedSections, SECTIONS_FUNCTION, type SectionInput } from '../src/loader/embedded-sections';

const PROGRAM = 'module.exports = "über";';
const WITH_COMMENT_END = 'const re = /a*/g;';
const PARTS: SectionInput[] = [
  { name: 'program', encoding: 'text', bytes: Buffer.from(PROGRAM) },
  { name: 'parser', encoding: 'base64', bytes: Buffer.from(WITH_COMMENT_END) },
];

// The reader as the loader bundles it (CommonJS), for executables run by a real Node.
let readerModule = '';
beforeAll(() => {
  readerModule = join(mkdtempSync(join(tmpdir(), 'gr-sections-reader-')), 'embedded-sections.cjs');
  buildSync({ entryPoints: [join(__dirname, '../src/loader/embedded-sections.ts')], bundle: true, format: 'cjs', platform: 'node', outfile: readerModule, logLevel: 'silent' });
});

/**
 * An executable laid out as tsup.config.ts writes it, whose loader prints each part it reads back
 * from its own sections function: the real path from Node's loader to the text the loader sees.
 */
function runExecutable(shebang: string, parts: SectionInput[], names: string[]): { status: number | null; stdout: string; stderr: string } {
  const loader = [
    `const { parseEmbeddedSections } = require(${JSON.stringify(readerModule)});`,
    `const sections = parseEmbeddedSections(${SECTIONS_FUNCTION}.toString(), __filename);`,
    `process.stdout.write(JSON.stringify({ build: sections.build, parts: ${JSON.stringify(names)}.map((name) => sections.read(name)) }));`,
    '',
  ].join('\n');
  const path = join(mkdtempSync(join(tmpdir(), 'gr-sections-')), 'geo-response');
  writeFileSync(path, `${shebang}\n${loader}${formatSectionsFunction('0123456789abcdef', formatSections(parts))}`, { mode: 0o755 });
  const result = spawnSync(process.execPath, [path], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('sections of the executable', () => {
  it.each(['#!/usr/bin/env node', '#!/usr/bin/node', `#!/opt/${'n'.repeat(100)}/node`])('every encoding reads back through Node, whatever the #! line (%s)', (shebang) => {
    const result = runExecutable(shebang, PARTS, ['program', 'parser']);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ build: '0123456789abcdef', parts: [PROGRAM, WITH_COMMENT_END] });
  });

  it('reads the same parts from the function text as a string', () => {
    const sections = parseEmbeddedSections(formatSectionsFunction('feedc0de', formatSections(PARTS)), 'geo-response');
    expect(sections.build).toBe('feedc0de');
    expect(sections.read('program')).toBe(PROGRAM);
    expect(sections.read('parser')).toBe(WITH_COMMENT_END);
    expect([sections.has('program'), sections.has('parser'), sections.has('firewall')]).toEqual([true, true, false]);
  });

  it('source holding */ cannot be stored as text (it would end its comment)', () => {
    expect(() => formatSections([{ name: 'parser', encoding: 'text', bytes: Buffer.from(WITH_COMMENT_END) }])).toThrowError(/would end its comment early/);
  });

  it('a missing section and a damaged one are clear errors', () => {
    const text = formatSectionsFunction('feedc0de', formatSections([{ name: 'program', encoding: 'text', bytes: Buffer.from(PROGRAM) }]));
    expect(() => parseEmbeddedSections(text, 'geo-response').read('report')).toThrowError(/geo-response has no section report: the file is incomplete; reinstall geo-response/);
    // A body whose recorded length no longer matches (edited or cut by hand).
    const damaged = text.replace(PROGRAM, `${PROGRAM}//`);
    expect(() => parseEmbeddedSections(damaged, 'geo-response').read('program')).toThrowError(/geo-response has a damaged section program: reinstall geo-response/);
  });

  it('text without a build line is not an executable of ours', () => {
    expect(() => parseEmbeddedSections('function f() {}', 'other')).toThrowError(/other has no sections: not a complete geo-response executable/);
  });

  it('a file cut short is refused by Node before any of it runs', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gr-sections-')), 'geo-response');
    const whole = `#!/usr/bin/env node\nprocess.stdout.write('ran');\n${formatSectionsFunction('feedc0de', formatSections(PARTS))}`;
    writeFileSync(path, whole.slice(0, whole.length - 40));
    const result = spawnSync(process.execPath, [path], { encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/SyntaxError/);
  });
});
