// npm run demo: run the built executable exactly as OSSEC's execd would — the alert split on
// spaces into argv, stdin /dev/null, cwd /, a minimal PATH — in a scratch install holding only
// the bundle (executable and parts file) and its embedded database, and print the records it appended to the geo log.
// The scratch install is kept in demo-output/ (git-ignored; replaced by the next run), so that its
// log is there to run `report` on.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { copyExecutable } from './bundle-files.mjs';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const home = join(root, 'demo-output');
rmSync(home, { recursive: true, force: true });
const bin = join(home, 'active-response', 'bin');
mkdirSync(bin, { recursive: true });
// The installer creates logs/ (OSSEC does too); the executable never creates directories.
mkdirSync(join(home, 'logs'));
copyExecutable(join(root, 'dist'), bin, 'geo-response');
copyFileSync(join(root, 'dist', 'dbip-country-lite.mmdb'), join(bin, 'dbip-country-lite.mmdb'));

// An sshd brute force seen in /var/log/auth.log on the server itself (rule 5712), then the
// delete execd sends when the timeout expires.
const alerts = [
  'add - 81.2.69.142 1795823765.1 5712 /var/log/auth.log -',
  'add root 2a02:6b8::1 1795823801.5511 5712 (web1) 10.0.0.5->/var/log/secure -',
  'delete - 81.2.69.142 1795823765.1 5712 /var/log/auth.log -',
];
for (const alert of alerts) {
  const result = spawnSync(process.execPath, [join(bin, 'geo-response'), ...alert.split(' ')], {
    cwd: '/',
    env: { PATH: '/usr/bin:/bin', GEO_RESPONSE_DB_SEARCH_PATH: '' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  console.log(`$ active-response/bin/geo-response ${alert}   # exit ${result.status}`);
}
const log = join(home, 'logs', 'geo-response.log');
console.log(`\n${log}:`);
for (const line of readFileSync(log, 'utf8').trim().split('\n')) console.log(JSON.stringify(JSON.parse(line), null, 2));
const shown = relative(process.cwd(), log) || log;
console.log(`\nThe log is kept. Summarise it:\n  node dist/geo-response.js report --format table ${shown}\n  node dist/geo-response.js report --format html --output report.html ${shown}`);
