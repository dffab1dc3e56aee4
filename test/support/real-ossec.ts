/**
 * A real OSSEC for end-to-end tests: the public source tarball (../shared/ossec/, or the path in
 * GEO_RESPONSE_OSSEC_SOURCE) extracted, built and installed into a scratch prefix, with its
 * daemons started inside a network namespace of their own, so execd's children block in that
 * namespace's firewall only.
 *
 * OSSEC compiles its prefix and its account names in, so every installation is one build. The
 * accounts are not OSSEC's default `ossec`/`ossecm`/`ossecr` but names unique to the run
 * (`gro…`, `grm…`, `grr…`, passed to OSSEC's Makefile as OSSEC_USER and friends): a host's own
 * OSSEC accounts are never touched, two suites running at once cannot remove each other's, and
 * no other test can see an `ossec` group appear for a while. Only accounts that did not exist
 * before the build are removed by `cleanup()`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './bundle-home.js';
import { createNetns, deleteNetns, waitFor, whyNoNetns } from './netns.js';

export { REPO_ROOT };
const INSTALL_SH = join(REPO_ROOT, 'install.sh');
const IP = '/usr/sbin/ip';
const SOURCE_ENV = 'GEO_RESPONSE_OSSEC_SOURCE';
const BUILD_HEADERS = ['/usr/include/pcre2.h', '/usr/include/zlib.h', '/usr/include/openssl/ssl.h', '/usr/include/systemd/sd-daemon.h', '/usr/include/magic.h'];

export type OssecTarget = 'local' | 'server' | 'agent';
/** Daemons in the order ossec-control starts them. */
export type OssecDaemon = 'ossec-maild' | 'ossec-execd' | 'ossec-analysisd' | 'ossec-logcollector' | 'ossec-remoted' | 'ossec-agentd';

/** The OSSEC source tarball: $GEO_RESPONSE_OSSEC_SOURCE, else ../shared/ossec/ossec-hids-*.tar.gz beside the repository. */
export function ossecSourceTarball(): string | undefined {
  const fromEnv = process.env[SOURCE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return existsSync(fromEnv) ? fromEnv : undefined;
  const dir = join(REPO_ROOT, '..', 'shared', 'ossec');
  if (!existsSync(dir)) return undefined;
  const tarball = readdirSync(dir)
    .filter((name) => /^ossec-hids-.*\.tar\.gz$/.test(name))
    .sort()
    .at(-1);
  return tarball === undefined ? undefined : join(dir, tarball);
}

/** Why a real OSSEC cannot be built and run here, or undefined when it can. */
export function whyNoRealOssec(firewallPrograms: string[] = ['nft']): string | undefined {
  const tarball = ossecSourceTarball();
  if (tarball === undefined) {
    const fromEnv = process.env[SOURCE_ENV];
    return fromEnv
      ? `${SOURCE_ENV}=${fromEnv} does not exist`
      : `no OSSEC source: set ${SOURCE_ENV} to an ossec-hids-*.tar.gz, or put one in ../shared/ossec/ beside the repository`;
  }
  const netns = whyNoNetns(firewallPrograms);
  if (netns !== undefined) return netns;
  const missing = ['make', 'cc'].filter((program) => spawnSync('sh', ['-c', `command -v ${program}`]).status !== 0);
  const headers = BUILD_HEADERS.filter((header) => !existsSync(header));
  if (missing.length > 0 || headers.length > 0) {
    return `cannot build OSSEC: missing ${[...missing, ...headers].join(', ')} (apt-get install build-essential libpcre2-dev libsystemd-dev libssl-dev zlib1g-dev libmagic-dev)`;
  }
  return undefined;
}

export interface OssecAccounts {
  /** OSSEC_USER and OSSEC_GROUP (the group the installation belongs to). */
  user: string;
  group: string;
  /** OSSEC_USER_MAIL (maild) and OSSEC_USER_REM (remoted). */
  mail: string;
  remote: string;
}

export interface OssecOptions {
  /** A word naming the test, for temp dirs and the namespace. */
  tag: string;
  /** TARGET for OSSEC's Makefile (default local). */
  target?: OssecTarget;
  /** Run the daemons in this existing namespace (e.g. a server and an agent side by side); default: a new one, deleted by cleanup(). */
  netns?: string;
}

export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RealOssec {
  target: OssecTarget;
  /** The installation directory (what /var/ossec is on a real host). */
  prefix: string;
  /** The namespace the daemons run in. */
  netns: string;
  accounts: OssecAccounts;
  confPath: string;
  /** A file for the test to write log lines to (inside the scratch dir, outside the prefix). */
  inputLog: string;
  /** `install.sh --apply --prefix <prefix>` with the machine's Node, plus any extra arguments (e.g. ['--uninstall']). */
  installGeoResponse(extraArgs?: string[]): CommandResult;
  /** Copy the fixture City and ASN databases into etc/ and write etc/geo-response.json: those databases plus `config`. */
  writePolicy(config: Record<string, unknown>): void;
  /** Rewrite etc/ossec.conf for a test: see configureForTest. */
  configure(options?: TestConfOptions): void;
  readConf(): string;
  writeConf(text: string): void;
  /** Start the daemons (default: those of the target) inside the namespace; waits until each wrote its pid file. */
  start(daemons?: OssecDaemon[]): Promise<void>;
  /** Stop every daemon that wrote a pid file (SIGTERM, execd runs its pending deletes; SIGKILL after 20 s). */
  stop(): Promise<void>;
  /** Append lines to inputLog. */
  writeInput(lines: string[]): void;
  /** `ossec-logtest` with the lines on stdin (`-v` for every rule tried). */
  logtest(lines: string[], verbose?: boolean): CommandResult;
  /** A file under the prefix, '' when absent. */
  read(relative: string): string;
  /** A command inside the namespace. */
  inNetns(program: string, args: string[]): CommandResult;
  /** Stop the daemons, delete the namespace (if ours), the scratch dir and the accounts the build created. */
  cleanup(): Promise<void>;
}

export interface TestConfOptions {
  /** Comment out every <localfile> and <active-response> outside the geo-response markers (default true). */
  dropStock?: boolean;
  /** Monitor inputLog as syslog (default true). */
  monitorInput?: boolean;
  /** Mail to a sink: maild connects to port 25 of this address in the namespace. Default: email_notification no. */
  email?: { smtpServer: string; to: string; from: string };
}

const DEFAULT_DAEMONS: Record<OssecTarget, OssecDaemon[]> = {
  local: ['ossec-maild', 'ossec-execd', 'ossec-analysisd', 'ossec-logcollector'],
  server: ['ossec-maild', 'ossec-execd', 'ossec-analysisd', 'ossec-logcollector', 'ossec-remoted'],
  agent: ['ossec-execd', 'ossec-agentd', 'ossec-logcollector'],
};
const STOP_DEADLINE_MS = 20000;
// Fake but real .mmdb files (test/fixtures/README.md lists their addresses by country).
const FIXTURE_DATABASES = { geo: 'GeoIP2-City-Test.mmdb', asn: 'GeoLite2-ASN-Test.mmdb' };

/**
 * Builds the tarball for `target` into a fresh prefix and installs it (OSSEC's own `make install`,
 * which creates the run's accounts). Takes about 15–60 s: give the hook a generous timeout.
 * Call cleanup() in afterAll even when this throws half-way (it cleans what it made).
 */
export async function buildRealOssec(options: OssecOptions): Promise<RealOssec> {
  const tarball = ossecSourceTarball();
  if (tarball === undefined) throw new Error(whyNoRealOssec() ?? 'no OSSEC source');
  const target = options.target ?? 'local';
  const scratch = mkdtempSync(join(tmpdir(), `gr-ossec-${options.tag}-`));
  const source = join(scratch, 'src');
  const prefix = join(scratch, 'ossec');
  const inputLog = join(scratch, 'input', 'test.log');
  mkdirSync(source);
  mkdirSync(dirname(inputLog));
  writeFileSync(inputLog, '');
  const suffix = randomBytes(3).toString('hex');
  const accounts: OssecAccounts = { user: `gro${suffix}`, group: `gro${suffix}`, mail: `grm${suffix}`, remote: `grr${suffix}` };
  const preexisting = new Set([accounts.user, accounts.mail, accounts.remote].filter((name) => accountExists('passwd', name)));
  const groupPreexisting = accountExists('group', accounts.group);
  const ownNetns = options.netns === undefined;
  const netns = options.netns ?? createNetns(`ossec${options.tag.slice(0, 6)}`);

  const run = (program: string, args: string[], input?: string): CommandResult => {
    const result = spawnSync(program, args, { encoding: 'utf8', input, env: { ...process.env, LC_ALL: 'C' } });
    return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
  };
  const inNetns = (program: string, args: string[]) => run(IP, ['netns', 'exec', netns, program, ...args]);

  const pidFiles = (): Array<{ name: string; pid: number }> => {
    const dir = join(prefix, 'var', 'run');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .map((file) => /^(.+)-(\d+)\.pid$/.exec(file))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => ({ name: match[1]!, pid: Number(match[2]) }));
  };

  const stop = async () => {
    const running = pidFiles();
    for (const { pid } of running) signal(pid, 'SIGTERM');
    const stopped = await waitFor(() => running.every(({ pid }) => !alive(pid)), STOP_DEADLINE_MS);
    if (!stopped) for (const { pid } of running) signal(pid, 'SIGKILL');
    await waitFor(() => running.every(({ pid }) => !alive(pid)), STOP_DEADLINE_MS);
    for (const { name, pid } of running) rmSync(join(prefix, 'var', 'run', `${name}-${pid}.pid`), { force: true });
  };

  const handle: RealOssec = {
    target,
    prefix,
    netns,
    accounts,
    confPath: join(prefix, 'etc', 'ossec.conf'),
    inputLog,
    installGeoResponse: (extraArgs = ['--apply']) => run('sh', [INSTALL_SH, '--prefix', prefix, '--node', process.execPath, ...extraArgs]),
    writePolicy: (config) => {
      const databases: Record<string, string> = {};
      for (const [role, name] of Object.entries(FIXTURE_DATABASES)) {
        databases[role] = join(prefix, 'etc', name);
        copyFileSync(join(REPO_ROOT, 'test', 'fixtures', name), databases[role]!);
      }
      writeFileSync(join(prefix, 'etc', 'geo-response.json'), JSON.stringify({ databases, ...config }));
    },
    configure: (confOptions = {}) => handle.writeConf(configureForTest(handle.readConf(), { inputLog, ...confOptions })),
    readConf: () => readFileSync(handle.confPath, 'utf8'),
    writeConf: (text) => writeFileSync(handle.confPath, text),
    start: async (daemons = DEFAULT_DAEMONS[target]) => {
      const logStart = handle.read('logs/ossec.log').length;
      for (const daemon of daemons) {
        const result = inNetns(join(prefix, 'bin', daemon), []);
        if (result.status !== 0) throw new Error(`${daemon} did not start (exit ${result.status}): ${result.stderr.trim()}\n${handle.read('logs/ossec.log').slice(-2000)}`);
        const started = await waitFor(() => pidFiles().some(({ name, pid }) => name === daemon && alive(pid)), 30000);
        if (!started) throw new Error(`${daemon} wrote no pid file in var/run:\n${handle.read('logs/ossec.log').slice(-2000)}`);
      }
      // logcollector starts reading its files at their end only after its pid file exists: a line
      // written before it says Started would be skipped.
      if (daemons.includes('ossec-logcollector')) {
        const reading = await waitFor(() => handle.read('logs/ossec.log').slice(logStart).includes('ossec-logcollector: INFO: Started'), 30000);
        if (!reading) throw new Error(`ossec-logcollector did not start reading:\n${handle.read('logs/ossec.log').slice(-2000)}`);
      }
    },
    stop,
    writeInput: (lines) => writeFileSync(inputLog, lines.map((line) => `${line}\n`).join(''), { flag: 'a' }),
    logtest: (lines, verbose = false) => run(join(prefix, 'bin', 'ossec-logtest'), verbose ? ['-v'] : [], `${lines.join('\n')}\n`),
    read: (relative) => {
      const path = join(prefix, relative);
      return existsSync(path) ? readFileSync(path, 'utf8') : '';
    },
    inNetns,
    cleanup: async () => {
      await stop();
      if (ownNetns) deleteNetns(netns);
      rmSync(scratch, { recursive: true, force: true });
      for (const name of [accounts.user, accounts.mail, accounts.remote]) {
        if (!preexisting.has(name) && accountExists('passwd', name)) spawnSync('userdel', [name]);
      }
      if (!groupPreexisting && accountExists('group', accounts.group)) spawnSync('groupdel', [accounts.group]);
    },
  };

  try {
    await extract(tarball, source);
    const make = ['-C', join(source, 'src'), `TARGET=${target}`, `PREFIX=${prefix}`, 'PCRE2_SYSTEM=yes', 'ZLIB_SYSTEM=yes', `OSSEC_USER=${accounts.user}`, `OSSEC_GROUP=${accounts.group}`, `OSSEC_USER_MAIL=${accounts.mail}`, `OSSEC_USER_REM=${accounts.remote}`];
    await runAsync('make', ['-j2', ...make], `build OSSEC (TARGET=${target})`);
    await runAsync('make', [...make, 'install'], 'install OSSEC');
  } catch (error) {
    await handle.cleanup();
    throw error;
  }
  // The sources are only needed for the build; the prefix is what the tests use.
  rmSync(source, { recursive: true, force: true });
  return handle;
}

/**
 * The changes a test makes to the stock ossec.conf: monitor the test's own log file; comment out
 * the stock <localfile> blocks (the host's real logs would add alerts of their own) and stock
 * <active-response> blocks (README: comment them out, never <disabled>yes</disabled>, which stops
 * every response); mail to the sink or not at all. Blocks between the geo-response markers are
 * left as install.sh wrote them.
 */
export function configureForTest(conf: string, options: TestConfOptions & { inputLog: string }): string {
  const { dropStock = true, monitorInput = true } = options;
  // Existing comments are left alone (the stock file comments out blocks itself, and comments do
  // not nest), and so is everything between the geo-response markers.
  let inOurs = false;
  let text = conf
    .split(/(<!--[\s\S]*?-->)/)
    .map((piece) => {
      if (piece.startsWith('<!--')) {
        if (piece.startsWith('<!-- BEGIN geo-response')) inOurs = true;
        if (piece.startsWith('<!-- END geo-response')) inOurs = false;
        return piece;
      }
      if (!dropStock || inOurs) return piece;
      return piece.replace(/<(localfile|active-response)>[\s\S]*?<\/\1>/g, (block) => `<!-- removed for the test: ${block.replace(/--/g, '- -')} -->`);
    })
    .join('');
  const email = options.email;
  text = text
    .replace(/<email_notification>[^<]*<\/email_notification>/, `<email_notification>${email ? 'yes' : 'no'}</email_notification>`)
    .replace(/<email_to>[^<]*<\/email_to>/, `<email_to>${email?.to ?? 'nobody@localhost'}</email_to>`)
    .replace(/<smtp_server>[^<]*<\/smtp_server>/, `<smtp_server>${email?.smtpServer ?? '127.0.0.1'}</smtp_server>`)
    .replace(/<email_from>[^<]*<\/email_from>/, `<email_from>${email?.from ?? 'ossec@localhost'}</email_from>`);
  if (monitorInput) {
    const localfile = `<ossec_config>\n  <localfile>\n    <log_format>syslog</log_format>\n    <location>${options.inputLog}</location>\n  </localfile>\n</ossec_config>\n`;
    text += localfile;
  }
  return text;
}

function accountExists(database: 'passwd' | 'group', name: string): boolean {
  return spawnSync('getent', [database, name]).status === 0;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

function extract(tarball: string, into: string): Promise<void> {
  return runAsync('tar', ['-xzf', tarball, '-C', into], `extract ${tarball}`);
}

/** A child run without blocking the test worker's event loop; rejects with the output's tail. */
function runAsync(program: string, args: string[], what: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    // Only PATH: vitest sets TEST=true, which OSSEC's Makefile reads as "build the unit tests" (with
    // --coverage and libcheck), and a developer's CFLAGS would change the build too.
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' } });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${what} failed (exit ${code}):\n${output}`))));
  });
}
