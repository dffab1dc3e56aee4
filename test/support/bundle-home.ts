import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { builtFiles, copyExecutable } from '../../scripts/bundle-files.mjs';
import { alertMessage } from '../../src/log/alert-message.js';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const EMBEDDED_DB = join(REPO_ROOT, 'dist', 'dbip-country-lite.mmdb');
/** The parts file of the build (geo-response.<build>.parts) and the build it belongs to. */
export function builtParts(): { path: string; build: string } {
  const { parts, build } = builtFiles(join(REPO_ROOT, 'dist'));
  return { path: parts, build };
}
/** The Node that runs the bundle: the machine's, or another (CI runs the protocol tests under Node 18 too). */
export const TEST_NODE = process.env.GEO_RESPONSE_TEST_NODE ?? process.execPath;

export interface BundleHome {
  home: string;
  /** The installed-like path of the executable: <home>/active-response/bin/geo-response.js */
  exe: string;
  /** What execd would run: [node, exe] */
  command: string[];
  /** execd's minimal environment, with the system database directories switched off for repeatability. */
  env: NodeJS.ProcessEnv;
  logPath: string;
  arLogPath: string;
  readRecords(): Array<Record<string, any>>;
  readLogText(): string;
  writeConfig(config: unknown): void;
}

/** A temp directory laid out like an install, holding only the built bundle (executable and parts file) and its embedded database; throws without a build. */
export function makeBundleHome(prefix = 'gr-home-'): BundleHome {
  const home = mkdtempSync(join(tmpdir(), prefix));
  const bin = join(home, 'active-response', 'bin');
  mkdirSync(bin, { recursive: true });
  mkdirSync(join(home, 'logs'));
  mkdirSync(join(home, 'etc'));
  const exe = copyExecutable(join(REPO_ROOT, 'dist'), bin, 'geo-response.js');
  copyFileSync(EMBEDDED_DB, join(bin, 'dbip-country-lite.mmdb'));
  const logPath = join(home, 'logs', 'geo-response.log');
  const readLogText = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '');
  return {
    home,
    exe,
    command: [TEST_NODE, exe],
    env: { PATH: '/usr/bin:/bin', GEO_RESPONSE_DB_SEARCH_PATH: '' },
    logPath,
    arLogPath: join(home, 'logs', 'active-responses.log'),
    readLogText,
    readRecords: () =>
      readLogText()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, any>),
    writeConfig: (config) => writeFileSync(join(home, 'etc', 'geo-response.json'), typeof config === 'string' ? config : JSON.stringify(config, null, 2)),
  };
}

/** A record with its run-dependent fields (time, duration) removed, for exact comparison. */
export function stableRecord(record: Record<string, any>): Record<string, any> {
  const { message, '@timestamp': timestamp, ...rest } = record;
  // The message is derived from the rest (its own tests are test/alert-message.test.ts): it must lead the record and agree with it.
  if (Object.keys(record)[0] !== 'message' || message !== alertMessage(rest as Parameters<typeof alertMessage>[0])) throw new Error(`message ${JSON.stringify(message)} is not first or does not describe the record`);
  if (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp))) throw new Error(`bad @timestamp ${String(timestamp)}`);
  const { duration, ...event } = rest.event ?? {};
  if (!Number.isInteger(duration) || duration < 0) throw new Error(`bad event.duration ${String(duration)}`);
  return { ...rest, event };
}

/** The ECS header of a record as stableRecord leaves it, for exact comparison: `ecs` and `event`. */
export function expectedEcs(event: { type: string[]; action?: 'add' | 'delete'; outcome: string; reason: string; severity?: number }): Record<string, any> {
  return {
    ecs: { version: '9.4.0' },
    event: { kind: 'event', module: 'geo-response', dataset: 'geo-response.log', category: ['intrusion_detection'], ...event },
  };
}
