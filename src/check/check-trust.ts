import { lstatSync } from 'node:fs';
import type { ConfigLocation } from '../trust/config-location.js';
import { describeViolation, findUntrustedDirectory } from '../trust/trusted-path.js';

export interface TrustCheckInput {
  home: string;
  /** The executable's directory: its parts file and code caches are trusted only if it is root's all the way up. */
  bundleDir: string;
  location: ConfigLocation;
}

/**
 * `check`'s lines on the trust rule (docs/security.md): where the configuration is read from and
 * why, and whether the directories holding what runs as root are root's all the way up, each
 * failure with the command that fixes it. The configuration and databases themselves are judged
 * where they are read (the configuration and databases lines).
 */
export function checkTrust(input: TrustCheckInput): { lines: string[]; ok: boolean } {
  const lines: string[] = [];
  let ok = true;
  const { location } = input;
  const why = location.etcProblem ? ` (not ${input.home}/etc: ${location.etcProblem.path} is ${location.etcProblem.problem})` : '';
  if (lstatSync(location.dir, { throwIfNoEntry: false }) === undefined) {
    lines.push(`trust: configuration directory ${location.dir}${why}: absent (no configuration: defaults apply)`);
  } else {
    const violation = findUntrustedDirectory(location.dir);
    if (violation !== undefined) ok = false;
    lines.push(`trust: configuration directory ${location.dir}${why}: ${violation ? `FAILED: ${describeViolation(violation)}` : 'ok'}`);
  }
  if (location.stranded !== undefined) {
    ok = false;
    const fix = location.stranded.movable ? `install.sh --apply moves it to ${location.dir}/ (review it first)` : location.stranded.violation.fix;
    lines.push(`trust: FAILED: ${location.stranded.path} is not read (${location.stranded.violation.path} is ${location.stranded.violation.problem}); fix: ${fix}`);
  }
  const executable = findUntrustedDirectory(input.bundleDir);
  if (executable !== undefined) ok = false;
  lines.push(`trust: executable directory ${input.bundleDir}: ${executable ? `FAILED (its parts file and caches are refused): ${describeViolation(executable)}` : 'ok'}`);
  return { lines, ok };
}
