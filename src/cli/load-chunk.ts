import { dirname } from 'node:path';
import { currentExecutable } from '../loader/current-executable.js';

/**
 * Load a part of the program that only some paths need, from the parts file beside the executable.
 *
 * Why: V8 pre-parses all code in a file it loads, called or not. Report rendering (map data, d3),
 * the firewall backends and their runner, lookup/check and zod are ~550 KB that a log-only alert never uses;
 * as code in the program they cost ~9 ms of start-up per alert (measured: `--version` 60 ms user
 * vs 51 ms without them). In the parts file (src/loader/parts-file.ts) they cost nothing until a
 * path reads them.
 */
export function loadChunk(name: string): unknown {
  const executable = currentExecutable();
  if (executable === undefined) throw new Error(`part ${name} of geo-response is only loadable from the built executable`);
  const module = { exports: {} as unknown };
  const compiled = executable.compile(executable.readPart(name), name);
  compiled(module.exports, require, module, executable.path, dirname(executable.path), executable);
  return module.exports;
}
