import { isAbsolute, join, resolve } from 'node:path';
import { checkGeoLog, describeIpv4Only, DEFAULT_LOG_PATH } from './check-log-and-databases.js';
import { toGeoResponseError, toOneLine } from '../errors.js';
import { createExecaRunner } from '../firewall/run-command.js';
import type { DatabasePaths } from '../geo/discover-databases.js';
import { parseIpAddress, type IpAddress } from '../geo/ip-address.js';
import type { AddressClass } from '../geo/special-ranges.js';
import type { Config } from '../policy/config-schema.js';
import { decide } from '../policy/decide.js';
import { createConfigSource, loadConfig } from '../respond/load-config.js';
import { describeLogins } from './describe-logins.js';
import { loginHistoryPath, readLoginHistory } from '../logins/history-file.js';

export interface CheckLookupResult {
  countryIsoCode?: string;
  asNumber?: number;
  addressClass: AddressClass;
  databases: string[];
  /** Whether an ASN database was consulted (decide needs it, as an alert's does). */
  asnDatabaseUsed: boolean;
  /** Geo databases that hold IPv4 addresses only. */
  ipv4OnlyDatabases?: string[];
}

export interface RunCheckOptions {
  home: string;
  configPath: string;
  sampleIp?: string;
  env: NodeJS.ProcessEnv;
  /** Reads the configuration's text (undefined when there is none), as alerts do. */
  readConfigText: (path: string) => string | undefined;
  /** Look the sample up in the databases the validated configuration names (or discovery finds). */
  lookup: (address: IpAddress, configured: DatabasePaths) => Promise<CheckLookupResult>;
  /** The host's own addresses (the sample is judged as an alert would be). */
  hostAddresses: string[];
  /** Where the backend programs are looked for; default /usr/sbin, /sbin, /usr/bin, /bin. */
  binDirs?: string[];
}

// Looked up when no sample is given: a public address, so the databases must really answer.
const DEFAULT_SAMPLE_IP = '1.1.1.1';
// Read-only questions that tell which variant is installed (iptables says nf_tables or legacy) and that it runs.
const VERSION_ARGS: Record<string, string[]> = { nft: ['--version'], ipset: ['--version'], iptables: ['--version'], ip6tables: ['--version'], 'firewall-cmd': ['--state'] };

/** `geo-response check`: validate configuration, databases and backend; say what a sample IP would get. Returns lines to print and whether all is well. */
export async function runCheck(options: RunCheckOptions): Promise<{ lines: string[]; ok: boolean }> {
  const lines: string[] = [];
  let ok = true;
  const configPath = isAbsolute(options.configPath) ? options.configPath : join(options.home, options.configPath);
  const config = await loadCheckedConfig(configPath, options.readConfigText, lines);
  if (config === undefined) return { lines, ok: false };
  lines.push(`policy: ${describePolicy(config)}`);
  lines.push(...describeLogins(config));
  ok = checkLoginHistory(loginHistoryPath(options.home), lines) && ok;

  const sampleText = options.sampleIp ?? DEFAULT_SAMPLE_IP;
  // Parsed once: a bad sample is the sample's fault, not the databases'.
  let address: IpAddress;
  try {
    address = parseIpAddress(sampleText);
  } catch (error) {
    lines.push(`sample ${JSON.stringify(sampleText)}: ${toOneLine(toGeoResponseError(error).message)}`);
    return { lines, ok: false };
  }
  let sample: CheckLookupResult | undefined;
  try {
    sample = await options.lookup(address, config.databases);
    lines.push(`databases: ok (${sample.databases.join(', ') || 'none'})`);
    if (config.policy.asns.length > 0 && !sample.asnDatabaseUsed) {
      lines.push('  warning: policy.asns is set but no ASN database was found, so ASN rules can never match: set databases.asn (e.g. GeoLite2-ASN.mmdb)');
    }
    for (const path of sample.ipv4OnlyDatabases ?? []) lines.push(describeIpv4Only(path));
  } catch (error) {
    ok = false;
    lines.push(`databases: FAILED: ${toOneLine(toGeoResponseError(error).message)}`);
  }

  ok = checkGeoLog(resolve(options.home, config.log.path ?? DEFAULT_LOG_PATH), lines) && ok;
  ok = (await checkBackend(config, options, lines)) && ok;

  try {
    const decision = decide(
      {
        action: 'add',
        address,
        addressClass: sample?.addressClass ?? 'public',
        countryIsoCode: sample?.countryIsoCode,
        asNumber: sample?.asNumber,
        asnDatabaseUsed: sample?.asnDatabaseUsed ?? false,
        hostAddresses: options.hostAddresses,
        lookupFailed: sample === undefined,
      },
      config.policy,
    );
    const place = [sample?.countryIsoCode ?? 'country unknown', sample?.asNumber === undefined ? undefined : `AS${sample.asNumber}`].filter(Boolean).join(', ');
    lines.push(`sample ${address.text} (${place}): ${decision.action} — ${decision.reason}`);
    const { applyFirewall } = await loadFirewall();
    const plan = await applyFirewall(
      { action: 'add', address, decision: decision.action, expireSeconds: config.firewall.expire_seconds, ossecArgs: ['add', '-', address.text, '-', '-', 'geo-response-check', '-'] },
      { ...config.firewall, dry_run: true },
      { env: options.env, binDirs: options.binDirs },
    );
    for (const command of plan.fields.commands ?? []) lines.push(`  would run: ${command}`);
  } catch (error) {
    ok = false;
    lines.push(`sample ${JSON.stringify(sampleText)}: ${toOneLine(toGeoResponseError(error).message)}`);
  }
  return { lines, ok };
}

// The configuration as an alert loads it (validated afresh: no cache), said in one line. install.sh
// greps `configuration: FAILED` to refuse a configuration the new version rejects.
async function loadCheckedConfig(path: string, readConfigText: (path: string) => string | undefined, lines: string[]): Promise<Config | undefined> {
  const source = createConfigSource(path, readConfigText);
  try {
    const config = await loadConfig(source, undefined);
    lines.push(source.text() === undefined ? `configuration: ${path} not found: defaults apply (log only, never block)` : `configuration: ${path} ok`);
    return config;
  } catch (error) {
    lines.push(`configuration: FAILED: ${toOneLine(toGeoResponseError(error).message)}`);
    return undefined;
  }
}

// Read as an alert reads it (the trust rule, the size bound), so a refusal shows here first.
function checkLoginHistory(path: string, lines: string[]): boolean {
  try {
    const history = readLoginHistory(path);
    lines.push(`  history file: ${path}: ${history.size === 0 ? 'no logins recorded yet' : `${history.size} user${history.size === 1 ? '' : 's'}`}`);
    return true;
  } catch (error) {
    lines.push(`  history file: FAILED: ${toOneLine(toGeoResponseError(error).message)}`);
    return false;
  }
}

function describePolicy(config: Config): string {
  const { policy } = config;
  if (policy.mode === 'off') return 'mode off (log only, never block)';
  const parts = [
    `mode ${policy.mode}`,
    `countries ${policy.countries.join(', ') || '(none)'}`,
    `asns ${policy.asns.map((n) => `AS${n}`).join(', ') || '(none)'}`,
    `unknown ${policy.unknown}`,
    `never_block ${policy.never_block.join(', ') || '(none)'}`,
    `allow_private ${policy.allow_private}`,
  ];
  return parts.join('; ');
}

async function checkBackend(config: Config, options: RunCheckOptions, lines: string[]): Promise<boolean> {
  const { firewall } = config;
  const head = `firewall: backend ${firewall.backend}${firewall.dry_run ? ' (dry run)' : ''}, expire_seconds ${firewall.expire_seconds}`;
  const { DEFAULT_BIN_DIRS, findBinary, listBackendPrograms } = await loadFirewall();
  const programs = listBackendPrograms(firewall);
  if (firewall.backend === 'none') {
    lines.push(`${head}: nothing is ever blocked`);
    return true;
  }
  lines.push(head);
  const run = createExecaRunner({ env: options.env, timeoutMs: 5_000 });
  let ok = true;
  for (const program of programs) {
    const path = findBinary(program, options.binDirs ?? DEFAULT_BIN_DIRS);
    if (path === undefined) {
      ok = false;
      lines.push(`  ${program}: MISSING (looked in ${(options.binDirs ?? DEFAULT_BIN_DIRS).join(', ')})`);
      continue;
    }
    const versionArgs = VERSION_ARGS[program];
    if (versionArgs === undefined) {
      lines.push(`  ${program}: ${path}`);
      continue;
    }
    const result = await run({ program: path, args: versionArgs });
    const answer = toOneLine(result.stdout || result.stderr || result.failure || '');
    if (result.exitCode !== 0) ok = false;
    lines.push(`  ${program}: ${path}: ${result.exitCode === 0 ? answer : `FAILED (${result.failure ?? `exit ${result.exitCode}`}): ${answer}`}`);
  }
  return ok;
}

// The firewall module (the backends) and the configuration parser (zod) are parts of
// the executable of their own (tsup.config.ts): imported here, not bundled again, they are stored
// once, and every alert reads a smaller file.
function loadFirewall() {
  return import('../firewall/index.js');
}
