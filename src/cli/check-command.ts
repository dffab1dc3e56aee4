import { type GeoResponseError, toOneLine } from '../errors.js';
import { createInstalledConfigSource } from '../respond/load-config.js';
import { locateConfig } from '../trust/config-location.js';
import { runCheck } from '../check/run-check.js';
import { checkTrust } from '../check/check-trust.js';
import { discoverInstallDatabases } from '../geo/discover-databases.js';
import { lookupAddress } from '../geo/lookup-address.js';
import { openDatabaseFully } from '../geo/open-database-fully.js';
import { EXIT_CODES, exitCodeFor } from './exit-codes.js';
import { listHostAddresses } from './host-addresses.js';
import { commandUsageError, parseCommandArgs } from './parse-command-args.js';
import { listDatabaseFiles, readConfigText } from './system-io.js';

export interface CheckCommandIo {
  home: string;
  bundleDir: string;
  env: NodeJS.ProcessEnv;
  writeStdout(text: string): void;
  writeStderr(text: string): void;
}

export const CHECK_USAGE = `Usage: geo-response check [<sample-ip>]

Validate the configuration (<home>/etc/geo-response.json, or
<home>/active-response/etc/ where etc/ is group-writable), the trust of what runs as root, the databases, the geo log and the
firewall backend, and say what an alert from <sample-ip> (default 1.1.1.1) would get. Changes nothing.

  -h, --help        this text
Exit codes: 0 all well, 2 usage error, 4 something is wrong (the lines say what).
`;

/** `geo-response check [<sample-ip>]`: print what the installation would do, exit non-zero when something is wrong. */
export async function runCheckCommand(args: string[], io: CheckCommandIo): Promise<number> {
  let options: { help: boolean; sampleIp?: string };
  try {
    options = parseCheckArgs(args);
  } catch (error) {
    const failure = error as GeoResponseError;
    io.writeStderr(`geo-response: ${toOneLine(failure.message)}\n`);
    return exitCodeFor(failure.kind);
  }
  if (options.help) {
    io.writeStdout(CHECK_USAGE);
    return EXIT_CODES.ok;
  }
  const location = locateConfig(io.home);
  const configPath = location.path;
  const result = await runCheck({
    home: io.home,
    configPath,
    ...(options.sampleIp ? { sampleIp: options.sampleIp } : {}),
    env: io.env,
    // Read as alerts read it: a configuration stranded in an untrusted etc/ is a failure.
    readConfigText: () => createInstalledConfigSource(location, readConfigText).text(),
    hostAddresses: await listHostAddresses(),
    async lookup(address, configured) {
      const paths = discoverInstallDatabases({ home: io.home, configDir: location.dir, bundleDir: io.bundleDir, env: io.env, configured, listDir: listDatabaseFiles });
      const found = lookupAddress(address, paths, openDatabaseFully);
      if (found.error) throw found.error;
      return {
        addressClass: found.addressClass,
        ...(found.fields.countryIsoCode ? { countryIsoCode: found.fields.countryIsoCode } : {}),
        ...(found.fields.asNumber !== undefined ? { asNumber: found.fields.asNumber } : {}),
        databases: found.databases.map((db) => `${db.role}: ${db.path} (${db.type})`),
        asnDatabaseUsed: found.databases.some((db) => db.role === 'asn'),
        ipv4OnlyDatabases: found.databases.filter((db) => db.role === 'geo' && db.ipVersion === 4).map((db) => db.path),
      };
    },
  });
  const trust = checkTrust({ home: io.home, bundleDir: io.bundleDir, location });
  io.writeStdout(`${[...trust.lines, ...result.lines].join('\n')}\n`);
  return result.ok && trust.ok ? EXIT_CODES.ok : EXIT_CODES.config;
}

function parseCheckArgs(args: string[]): { help: boolean; sampleIp?: string } {
  const { values, positionals } = parseCommandArgs('check', args, { help: { type: 'boolean', short: 'h' } });
  if (positionals.length > 1) throw commandUsageError('check', `one sample address at most, got ${positionals.length}`);
  return { help: values.help === true, ...(positionals[0] !== undefined ? { sampleIp: positionals[0] } : {}) };
}
