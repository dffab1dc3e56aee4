import { dirname, resolve, sep } from 'node:path';

const INSTALLED_LOCATION = `${sep}active-response${sep}bin${sep}`;
/** Where OSSEC and Wazuh install by default; the home when the executable is not inside one. */
export const DEFAULT_HOME = '/var/ossec';

/**
 * The OSSEC/Wazuh install directory: GEO_RESPONSE_HOME, else the part of the executable's path
 * before `/active-response/bin/`. The path is taken as invoked, not resolved through symlinks,
 * so a home reached through a symlink (/var/ossec -> /data/ossec) stays itself.
 */
export function resolveHome(executablePath: string, env: NodeJS.ProcessEnv, cwd: string): string {
  if (env.GEO_RESPONSE_HOME) return resolve(cwd, env.GEO_RESPONSE_HOME);
  const absolute = resolve(cwd, executablePath);
  const at = absolute.lastIndexOf(INSTALLED_LOCATION);
  return at > 0 ? absolute.slice(0, at) : DEFAULT_HOME;
}

/** The directory holding the executable (where the embedded database sits beside the bundle). */
export function resolveBundleDir(executablePath: string, cwd: string): string {
  return dirname(resolve(cwd, executablePath));
}
