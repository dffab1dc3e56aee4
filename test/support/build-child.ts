import { build } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Bundle a TypeScript entry into one CommonJS file that plain `node` runs as a child process (like the real bundle). */
export async function buildChild(entry: string): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'gr-child-')), 'child.cjs');
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node18', outfile, logLevel: 'error' });
  return outfile;
}
