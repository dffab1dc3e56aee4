import { createInstalledConfigSource } from '../respond/load-config.js';
import { locateConfig } from '../trust/config-location.js';
import { discoverInstallDatabases, type DatabasePaths } from '../geo/discover-databases.js';

export interface InstallDatabasesIo {
  home: string;
  bundleDir: string;
  env: NodeJS.ProcessEnv;
  readConfigText(path: string): string | undefined;
  listDatabaseFiles(dir: string): string[];
}

/** The databases the installation uses for `lookup` and `check`: its configuration's paths (`overrides` win), then discovery. */
export async function resolveInstallDatabases(io: InstallDatabasesIo, overrides: DatabasePaths = {}): Promise<DatabasePaths> {
  const location = locateConfig(io.home);
  const configPath = location.path;
  const text = createInstalledConfigSource(location, io.readConfigText).text();
  // A part of the executable of its own (as in check/run-check.ts): stored once, not per command.
  const configured = text === undefined ? {} : (await import('../policy/parse-config.js')).parseConfig(text, configPath).databases;
  return discoverInstallDatabases({ home: io.home, configDir: location.dir, bundleDir: io.bundleDir, env: io.env, configured: { ...configured, ...overrides }, listDir: io.listDatabaseFiles });
}
