/*
 * The executable's first lines: open this same file once, read the program from its section and
 * run it through a V8 code cache (see code-cache.ts for why and the measured figures).
 */
import { dirname } from 'node:path';
import { isAlertInvocation } from './code-cache.js';
import { openExecutable } from './executable.js';

const executable = openExecutable(__filename, { useCodeCache: isAlertInvocation(process.argv), env: process.env });
const program = executable.compile(executable.readSection('program'), 'program');
program(module.exports, require, module, __filename, dirname(__filename), executable);
