import { join } from 'node:path';
import { discoverInstallDatabases, type DatabasePaths } from '../geo/discover-databases.js';
import { parseConfig } from '../policy/parse-config.js';

export interface InstallDatabasesIo {
  home: string;
  bundleDir: string;
  env: NodeJS.ProcessEnv;
  readConfigText(path: string): string | undefined;
  listDatabaseFiles(dir: string): string[];
}

/** The databases the installation uses for `lookup` and `check`: its configuration's paths (`overrides` win), then discovery. */
export function resolveInstallDatabases(io: InstallDatabasesIo, overrides: DatabasePaths = {}): DatabasePaths {
  const configPath = join(io.home, 'etc', 'geo-response.json');
  const text = io.readConfigText(configPath);
  const configured = text === undefined ? {} : parseConfig(text, configPath).databases;
  return discoverInstallDatabases({ home: io.home, bundleDir: io.bundleDir, env: io.env, configured: { ...configured, ...overrides }, listDir: io.listDatabaseFiles });
}
