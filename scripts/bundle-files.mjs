// The files of a build in dist/: the executable, its parts file (geo-response.<build>.parts,
// see src/loader/parts-file.ts) and the embedded database. The bench, the demo and the tests lay
// out scratch installs from these.
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** The dist/ files of the build in `distDir`; throws when there is no complete build. */
export function builtFiles(distDir) {
  const executable = path.join(distDir, 'geo-response.js');
  const database = path.join(distDir, 'dbip-country-lite.mmdb');
  const parts = existsSync(distDir) ? readdirSync(distDir).filter((name) => /^geo-response\.[0-9a-f]{16}\.parts$/.test(name)) : [];
  if (!existsSync(executable) || !existsSync(database) || parts.length !== 1) {
    throw new Error(`${distDir} holds no complete build (the executable, one parts file, the database): run npm run build first`);
  }
  return { executable, parts: path.join(distDir, parts[0]), build: parts[0].split('.')[1], database };
}

/** Copy the executable (as `binDir/exeName`) and its parts file into `binDir`, as install.sh lays them out. */
export function copyExecutable(distDir, binDir, exeName) {
  const { executable, parts } = builtFiles(distDir);
  copyFileSync(executable, path.join(binDir, exeName));
  copyFileSync(parts, path.join(binDir, path.basename(parts)));
  return path.join(binDir, exeName);
}
