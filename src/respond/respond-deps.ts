import type { OpenDatabase } from '../geo/database-reader.js';
import type { FirewallConfig } from '../policy/config-schema.js';
// Types only: the firewall code itself loads lazily, when a backend has work to do.
import type { FirewallOutcome, FirewallRequest } from '../firewall/index.js';
import type { ConfigLocation } from '../trust/config-location.js';
import type { LineSource } from './line-source.js';
import type { ValidatedConfigCache } from './load-config.js';

/** Everything the active-response flow needs from the outside world; the CLI builds the real ones, tests their own. */
export interface RespondDeps {
  version: string;
  args: string[];
  /** A new line source on stdin, or undefined when stdin is a terminal; respond calls it at most once (OSSEC calls never). */
  stdin(): LineSource | undefined;
  writeStdout(line: string): void;
  writeStderr(line: string): void;
  env: NodeJS.ProcessEnv;
  /** The OSSEC/Wazuh install directory. */
  home: string;
  /** Where the login history is kept (`active-response/state/` under it): the home, or install.sh's throw-away warm-up directory (cli/warm-up.ts). */
  stateHome: string;
  /** The directory the executable sits in (the embedded database is found there before install). */
  bundleDir: string;
  now(): Date;
  elapsedMs(): number;
  /** Where the installation keeps its configuration (and embedded database). */
  configLocation: ConfigLocation;
  /** The configuration file's text, or undefined when there is none. */
  readConfigText(path: string): string | undefined;
  /** The last validated configuration, kept beside the executable; undefined where there is none to keep. */
  configCache: ValidatedConfigCache | undefined;
  listDatabaseFiles(dir: string): string[];
  openDatabase: OpenDatabase;
  appendLine(path: string, line: string): void;
  hostAddresses(): Promise<string[]>;
  applyFirewall(request: FirewallRequest, config: FirewallConfig): Promise<FirewallOutcome>;
}
