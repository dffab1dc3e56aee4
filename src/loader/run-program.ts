/*
 * The executable's first lines: read the program from this same file's trailing section and run
 * it through a V8 code cache (see code-cache.ts for why and the measured figures).
 */
import { dirname } from 'node:path';
import { compileModule } from './code-cache.js';
import { readSection } from './embedded-sections.js';

const program = compileModule(readSection(__filename, 'program'), __filename, 'program');
program(module.exports, require, module, __filename, dirname(__filename));
