import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatSectionsFunction } from '../src/loader/embedded-sections';

// The real loader (src/loader/run-program.ts) as tsup bundles it, before a sections function
// holding a small program: the path from Node's loader to the program the loader runs.
let loader = '';
beforeAll(() => {
  const built = buildSync({ entryPoints: [join(__dirname, '../src/loader/run-program.ts')], bundle: true, write: false, format: 'cjs', platform: 'node', target: 'node18.19', logLevel: 'silent' });
  loader = built.outputFiles[0]!.text;
});

// Prints what the program was handed, and a text that is not ASCII.
const PROGRAM = 'process.stdout.write(JSON.stringify({ build: __geoResponseExecutable.build, text: "über", fs: typeof require("node:fs").openSync }));';
// Source holding `*/` cannot sit in a comment as it is: it is stored as base64.
const WITH_COMMENT_END = `const re = /a*/g; ${PROGRAM}`;

function runExecutable(contents: string, shebang = '#!/usr/bin/env node'): { status: number | null; stdout: string; stderr: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'gr-sections-')), 'geo-response');
  writeFileSync(path, `${shebang}\n${contents}`, { mode: 0o755 });
  const result = spawnSync(process.execPath, [path, 'add', '-', '192.0.2.1'], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', GEO_RESPONSE_CACHE: '0' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the program inside the executable', () => {
  it.each([
    ['as text', PROGRAM, '#!/usr/bin/env node'],
    ['as base64 (it holds */)', WITH_COMMENT_END, '#!/usr/bin/env node'],
    ['after a long #! line', PROGRAM, `#!/opt/${'n'.repeat(100)}/node`],
  ])('reads back through Node and runs, stored %s', (_title, program, shebang) => {
    const result = runExecutable(`${loader}${formatSectionsFunction('0123456789abcdef', program)}`, shebang);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ build: '0123456789abcdef', text: 'über', fs: 'function' });
  });

  it('is stored as base64 exactly when it holds */', () => {
    expect(formatSectionsFunction('feedc0de', PROGRAM)).toContain(`program text ${PROGRAM.length}\n${PROGRAM}\n*/`);
    expect(formatSectionsFunction('feedc0de', WITH_COMMENT_END)).toMatch(/program base64 \d+\n[A-Za-z0-9+/=\n]+\n\*\/\n\}\n$/);
  });

  it.each([
    // A body whose recorded length no longer matches (edited or cut by hand).
    ['a damaged program section', () => `${loader}${formatSectionsFunction('feedc0de', PROGRAM).replace(PROGRAM, `${PROGRAM}//`)}`],
    ['no sections at all', () => `${loader}function __geoResponseSections() {}\n`],
    ['an encoding the loader does not know', () => `${loader}${formatSectionsFunction('feedc0de', PROGRAM).replace('program text', 'program texx')}`],
  ])('%s is one clear line, and nothing runs', (_title, contents) => {
    const result = runExecutable(contents());
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^geo-response: \S+ is not a complete geo-response executable \(its program section is missing or damaged\): reinstall geo-response\n$/);
  });

  it('a file cut short is refused by Node before any of it runs', () => {
    const whole = `${loader}${formatSectionsFunction('feedc0de', PROGRAM)}`;
    const result = runExecutable(whole.slice(0, whole.length - 40));
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/SyntaxError/);
  });
});
