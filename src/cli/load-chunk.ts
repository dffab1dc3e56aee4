import { dirname } from 'node:path';
import { compileModule } from '../loader/code-cache.js';
import { readSection } from '../loader/embedded-sections.js';

/**
 * Load a part of the program that only some paths need, from its section of the executable.
 *
 * Why: V8 pre-parses all code in a file it loads, called or not. Report rendering (map data, d3),
 * the firewall runner (execa), lookup/check and zod are ~550 KB that a log-only alert never uses;
 * as code in the program they cost ~9 ms of start-up per alert (measured: `--version` 60 ms user
 * vs 51 ms without them). As sections after the program they cost nothing until a path reads them.
 */
export function loadChunk(name: string): unknown {
  const executable = __filename.replace(/#.*$/, '');
  const module = { exports: {} as unknown };
  const compiled = compileModule(readSection(executable, name), executable, name);
  compiled(module.exports, require, module, executable, dirname(executable));
  return module.exports;
}
