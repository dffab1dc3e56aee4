import { createInstalledConfigSource } from '../respond/load-config.js';
import { locateConfig } from '../trust/config-location.js';
import { runCheck } from '../check/run-check.js';
import { checkTrust } from '../check/check-trust.js';
import { discoverInstallDatabases } from '../geo/discover-databases.js';
import { lookupAddress } from '../geo/lookup-address.js';
import { openDatabaseFully } from '../geo/open-database-fully.js';
import { EXIT_CODES } from './exit-codes.js';
import { listHostAddresses } from './host-addresses.js';
import { listDatabaseFiles, readConfigText } from './system-io.js';

export interface CheckCommandIo {
  home: string;
  bundleDir: string;
  env: NodeJS.ProcessEnv;
  writeStdout(text: string): void;
  writeStderr(text: string): void;
}

/** `geo-response check [<sample-ip>]`: print what the installation would do, exit non-zero when something is wrong. */
export async function runCheckCommand(args: string[], io: CheckCommandIo): Promise<number> {
  const location = locateConfig(io.home);
  const configPath = location.path;
  const result = await runCheck({
    home: io.home,
    configPath,
    ...(args[0] ? { sampleIp: args[0] } : {}),
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
      };
    },
  });
  const trust = checkTrust({ home: io.home, bundleDir: io.bundleDir, location });
  io.writeStdout(`${[...trust.lines, ...result.lines].join('\n')}\n`);
  return result.ok && trust.ok ? EXIT_CODES.ok : EXIT_CODES.config;
}
