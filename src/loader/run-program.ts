/*
 * The executable's first lines: take the program from the sections function that ends this same
 * file (see embedded-sections.ts for why) and run it through a V8 code cache (see code-cache.ts).
 */
import { isAlertInvocation } from '../cli/alert-invocation.js';
import { openExecutable } from './executable.js';
import { builtinsFirst } from './node-builtin.js';

// Written after the loader by tsup.config.ts (SECTIONS_FUNCTION in embedded-sections.ts); never called.
declare function __geoResponseSections(): void;

const executable = openExecutable(__filename, __geoResponseSections.toString(), { useCodeCache: isAlertInvocation(process.argv.slice(2)), env: process.env });
const program = executable.compile(executable.readSection('program'), 'program');
program(module.exports, builtinsFirst(require), module, __filename, __dirname, executable);
