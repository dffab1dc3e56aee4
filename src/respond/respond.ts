import { resolve } from 'node:path';
import { GeoResponseError, toGeoResponseError, toOneLine } from '../errors.js';
import { parseIpAddress, type IpAddress } from '../geo/ip-address.js';
import { discoverInstallDatabases } from '../geo/discover-databases.js';
import { lookupAddress, type GeoLookup } from '../geo/lookup-address.js';
import type { Invocation, RawInput } from '../invocation/invocation.js';
import { parseInvocation } from '../invocation/parse-invocation.js';
import { buildRecord, type RecordInput } from '../log/build-record.js';
import { formatActiveResponseLine } from '../log/format-ar-line.js';
import type { Config } from '../policy/config-schema.js';
import { defaultConfig } from '../policy/default-config.js';
import { createInstalledConfigSource, loadConfig, readLastValidatedConfig, type ConfigSource } from './load-config.js';
import { decide, decideBuiltInSafety, type DecisionInput, type PolicyDecision } from '../policy/decide.js';
import { isSuccessfulLogin } from '../logins/classify-alert.js';
import { decideLoginAction } from '../logins/decide-login.js';
import type { LineSource } from './line-source.js';
import type { RespondDeps } from './respond-deps.js';
import { CHECK_KEYS_REPLY_TIMEOUT_MS, runCheckKeysHandshake } from './wazuh-handshake.js';

/**
 * execd's JSON line is bounded (design §1): anything longer is refused, not buffered. Wazuh's
 * execd accepts a 65,535-byte message from analysisd and adds `program` and its envelope (the
 * largest add line is about 65,564 bytes); its reply is that line with `continue` for `add`, a
 * few bytes longer. 64 KiB plus 4 KiB of headroom takes both.
 */
export const MAX_MESSAGE_BYTES = 68 * 1024;
/** How long we wait for execd's message when called without arguments. */
export const STDIN_MESSAGE_TIMEOUT_MS = 10000;

type Progress = Omit<RecordInput, 'timestamp' | 'version' | 'durationMs' | 'outcome' | 'reason'>;

/** The active response: read the call, geolocate, decide, maybe block, and append exactly one record. Returns the failure that decides the exit code, if any. */
export async function respond(deps: RespondDeps): Promise<GeoResponseError | undefined> {
  const progress: Progress = { protocol: 'unknown' };
  const config: LoadedConfig = { source: createInstalledConfigSource(deps.configLocation, deps.readConfigText) };
  let stdinOpened: LineSource | undefined;
  const stdin = () => (stdinOpened ??= deps.stdin());
  try {
    const outcome = await runSteps(deps, stdin, config, progress);
    if (outcome.outcome === 'skipped') return await skipQuietly(deps, config, progress, outcome.reason);
    return finish(deps, config, progress, outcome.reason, outcome.error, outcome.outcome);
  } catch (error) {
    const failure = toGeoResponseError(error);
    return finish(deps, config, progress, failure.message, failure, 'failure');
  } finally {
    stdinOpened?.close();
  }
}

/** The configuration file, and what validated of it once loaded (finish needs its log path). */
interface LoadedConfig {
  source: ConfigSource;
  validated?: Config;
}

interface StepsOutcome {
  outcome: 'success' | 'failure' | 'skipped';
  reason: string;
  error?: GeoResponseError;
}

async function runSteps(deps: RespondDeps, stdin: () => LineSource | undefined, loaded: LoadedConfig, progress: Progress): Promise<StepsOutcome> {
  const invocation = parseInvocation(await readRawInput(deps, stdin));
  progress.protocol = invocation.protocol;
  progress.invocation = invocation;
  if (invocation.rawIp === undefined) return { outcome: 'skipped', reason: describeSkip(invocation) };
  const address = parseIpAddress(invocation.rawIp);
  progress.address = address;

  // Wazuh's execd (4.x and 5.x alike) waits, without a timeout and doing nothing else, for our
  // first stdout line: check_keys goes out before any other work, on every add, whatever the
  // policy will say.
  if (invocation.protocol !== 'ossec' && invocation.action === 'add') {
    const answer = await handshake(deps, stdin(), address, progress);
    if (answer === 'abort') {
      // Geolocated for the record with the configured databases; a broken configuration does not
      // turn an abort (nothing to do) into a failure.
      try {
        loaded.validated = await loadConfig(loaded.source, deps.configCache);
      } catch {
        // Broken: the record still gets a geolocation, with the default databases.
      }
      progress.lookup = lookupWith(deps, address, loaded.validated ?? defaultConfig());
      return { outcome: 'success', reason: `execd answered abort: ${address.text} is already handled; nothing done` };
    }
  }

  const { config, configError } = await loadConfigForAction(invocation.action, loaded.source, deps);
  loaded.validated = config;
  const lookup = lookupWith(deps, address, config);
  progress.lookup = lookup;
  // A delete removes whatever an add left, whatever the policy says now: it is not decided (and
  // its record carries no decision, which would read as a new block, or be counted as one).
  // A successful login is judged by the logins settings, never by the attack policy.
  const login = invocation.action === 'add' && isSuccessfulLogin(invocation, config.logins.success_rules);
  const decision = invocation.action !== 'add' ? undefined : login ? await decideLogin(deps, config, invocation, address, lookup, progress) : await decideAdd(deps, config, invocation, address, lookup);
  progress.decision = decision;

  const firewallError = await runFirewall(deps, config, invocation, address, decision?.action, progress);
  if (configError) {
    const done = progress.firewall ? `firewall ${progress.firewall.result} with the last valid configuration` : 'no firewall backend in the last valid configuration';
    return { outcome: 'failure', reason: `${configError.message}; ${done}`, error: firewallError ?? configError };
  }
  const error = firewallError ?? lookup.error;
  if (error) return { outcome: 'failure', reason: progress.login ? `${progress.login.message}; ${error.message}` : error.message, error };
  return { outcome: 'success', reason: describeSuccess(invocation, address, lookup, decision?.reason, progress) };
}

async function decideAdd(deps: RespondDeps, config: Config, invocation: Invocation, address: IpAddress, lookup: GeoLookup): Promise<PolicyDecision> {
  const input: DecisionInput = {
    action: 'add',
    address,
    addressClass: lookup.addressClass,
    ...(lookup.fields.countryIsoCode ? { countryIsoCode: lookup.fields.countryIsoCode } : {}),
    ...(lookup.fields.asNumber !== undefined ? { asNumber: lookup.fields.asNumber } : {}),
    asnDatabaseUsed: lookup.databases.some((database) => database.role === 'asn'),
    ...(invocation.rule?.id ? { ruleId: invocation.rule.id } : {}),
    ...(invocation.rule?.level !== undefined ? { ruleLevel: invocation.rule.level } : {}),
    hostAddresses: [],
    lookupFailed: lookup.error !== undefined,
  };
  // The host's own addresses cost a process to list: asked only when the answer could matter.
  const decision = decide(input, config.policy);
  return decision.action === 'block' ? decide({ ...input, hostAddresses: await deps.hostAddresses() }, config.policy) : decision;
}

async function decideLogin(deps: RespondDeps, config: Config, invocation: Invocation, address: IpAddress, lookup: GeoLookup, progress: Progress): Promise<PolicyDecision> {
  // A part of its own (tsup.config.ts): the history's file, lock and crypto cost only logins.
  const { analyseLogin, loginHistoryPath } = await import('../logins/index.js');
  // Who logged in: OSSEC's user argument and Wazuh 4's data.dstuser (the target), else Wazuh 5's user.name.
  const analysis = await analyseLogin({ user: invocation.targetUser ?? invocation.sourceUser, now: deps.now(), lookup, settings: config.logins, historyPath: loginHistoryPath(deps.stateHome) });
  progress.login = analysis;
  const safetyInput = (hostAddresses: string[]): DecisionInput => ({ action: 'add', address, addressClass: lookup.addressClass, hostAddresses, lookupFailed: lookup.error !== undefined });
  const decision = decideLoginAction(analysis.found, config.logins.block, decideBuiltInSafety(safetyInput([]), config.policy));
  // The host's own addresses cost a process to list: asked only when the answer could matter.
  return decision.action === 'block' ? decideLoginAction(analysis.found, config.logins.block, decideBuiltInSafety(safetyInput(await deps.hostAddresses()), config.policy)) : decision;
}

// A configuration broken between an add and its delete must not leave the block behind: a delete
// falls back to the last configuration that validated (kept beside the executable) and still
// fails visibly. An add with a broken configuration does nothing.
async function loadConfigForAction(action: 'add' | 'delete', source: ConfigSource, deps: RespondDeps): Promise<{ config: Config; configError?: GeoResponseError }> {
  try {
    return { config: await loadConfig(source, deps.configCache) };
  } catch (error) {
    const lastValid = action === 'delete' && error instanceof GeoResponseError && error.kind === 'config' ? readLastValidatedConfig(deps.configCache) : undefined;
    if (lastValid === undefined) throw error;
    return { config: lastValid, configError: error as GeoResponseError };
  }
}

async function readRawInput(deps: RespondDeps, stdin: () => LineSource | undefined): Promise<RawInput> {
  if (deps.args.length > 0 && (deps.args[0] === 'add' || deps.args[0] === 'delete')) return { args: deps.args };
  const lines = stdin();
  if (!lines) return { args: deps.args };
  const result = await lines.nextLine(STDIN_MESSAGE_TIMEOUT_MS);
  if (result.kind === 'too-long') {
    throw new GeoResponseError(`stdin message over ${MAX_MESSAGE_BYTES / 1024} KiB refused`, { code: 'INPUT_TOO_LONG', kind: 'input' });
  }
  if (result.kind === 'timeout') {
    throw new GeoResponseError(`no message on stdin within ${STDIN_MESSAGE_TIMEOUT_MS} ms and no OSSEC arguments`, { code: 'NO_ACTION', kind: 'usage' });
  }
  return result.kind === 'line' ? { args: deps.args, stdinLine: result.line } : { args: deps.args };
}

async function handshake(deps: RespondDeps, lines: LineSource | undefined, address: IpAddress, progress: Progress): Promise<'continue' | 'abort'> {
  if (!lines) throw new GeoResponseError('Wazuh message without a stdin to answer check_keys on', { code: 'HANDSHAKE_FAILED', kind: 'handshake' });
  const timeoutMs = Number(deps.env.GEO_RESPONSE_REPLY_TIMEOUT_MS) || CHECK_KEYS_REPLY_TIMEOUT_MS;
  try {
    const answer = await runCheckKeysHandshake(address.text, deps.writeStdout, lines, timeoutMs);
    progress.handshake = answer;
    return answer;
  } catch (error) {
    if (error instanceof GeoResponseError && error.code === 'HANDSHAKE_TIMEOUT') progress.handshake = 'timeout';
    throw error;
  }
}

function lookupWith(deps: RespondDeps, address: IpAddress, config: Config): GeoLookup {
  const paths = discoverInstallDatabases({ home: deps.home, configDir: deps.configLocation.dir, bundleDir: deps.bundleDir, env: deps.env, configured: config.databases, listDir: deps.listDatabaseFiles });
  return lookupAddress(address, paths, deps.openDatabase);
}

async function runFirewall(deps: RespondDeps, config: Config, invocation: Invocation, address: IpAddress, decision: PolicyDecision['action'] | undefined, progress: Progress): Promise<GeoResponseError | undefined> {
  if (config.firewall.backend === 'none') return undefined;
  // A delete always goes to the backend (it removes whatever an earlier add left, idempotently);
  // an add only when the policy blocks.
  if (invocation.action === 'add' && decision !== 'block') return undefined;
  const outcome = await deps.applyFirewall(
    {
      action: invocation.action,
      address,
      ...(decision ? { decision } : {}),
      expireSeconds: invocation.statefulTimeoutSeconds ?? config.firewall.expire_seconds,
      ossecArgs: invocation.ossecArgs,
    },
    config.firewall,
  );
  progress.firewall = outcome.fields;
  return outcome.error;
}

function describeSkip(invocation: Invocation): string {
  const rule = invocation.rule?.id ? ` (rule ${invocation.rule.id})` : '';
  return `skipped: the alert carries no source address${rule}; nothing to geolocate or block`;
}

// An alert without a source address (Wazuh calls the response for file integrity, rootcheck…
// alerts when the trigger is a level) is nothing to do, not a failure: no error line, exit 0,
// and a record only when log.record_skipped asks for one.
async function skipQuietly(deps: RespondDeps, loaded: LoadedConfig, progress: Progress, reason: string): Promise<GeoResponseError | undefined> {
  try {
    loaded.validated = await loadConfig(loaded.source, deps.configCache);
  } catch {
    // A broken configuration is reported by the next alert that has an address to act on.
    return undefined;
  }
  if (loaded.validated.log.record_skipped !== true) return undefined;
  return finish(deps, loaded, progress, reason, undefined, 'success');
}

function describeSuccess(invocation: Invocation, address: IpAddress, lookup: GeoLookup, decisionReason: string | undefined, progress: Progress): string {
  const where = lookup.addressClass !== 'public' ? lookup.addressClass : (lookup.fields.countryIsoCode ?? 'country unknown');
  if (invocation.action === 'delete') {
    const removal = progress.firewall ? `firewall ${progress.firewall.result}` : 'no firewall backend; nothing to remove';
    return `delete ${address.text} (${where}): ${removal}`;
  }
  const firewall = progress.firewall ? `; firewall ${progress.firewall.result}` : '';
  const login = progress.login ? `${progress.login.message}; ` : '';
  return `${invocation.action} ${address.text} (${where}): ${login}${decisionReason}${firewall}`;
}

function finish(deps: RespondDeps, config: LoadedConfig, progress: Progress, reason: string, error: GeoResponseError | undefined, outcome: 'success' | 'failure'): GeoResponseError | undefined {
  const record = buildRecord({
    ...progress,
    timestamp: deps.now(),
    version: deps.version,
    durationMs: deps.elapsedMs(),
    outcome,
    reason,
    ...(error ? { error } : {}),
  });
  const logPath = resolveLogPath(deps.home, config);
  let reported = error;
  try {
    deps.appendLine(logPath, JSON.stringify(record));
  } catch (appendError) {
    // The record is lost: that failure outranks (its code decides the exit) the one it would have
    // recorded, which is still said, on the same one line.
    const lost = toGeoResponseError(appendError);
    reported = error ? new GeoResponseError(`${error.message}; and the record of it was lost: ${lost.message}`, { code: lost.code, kind: lost.kind, cause: lost }) : lost;
  }
  if (reported) reportError(deps, reported);
  return reported;
}

function resolveLogPath(home: string, config: LoadedConfig): string {
  const configured = config.validated ? config.validated.log.path : readLogPathLeniently(config.source);
  return resolve(home, configured ?? 'logs/geo-response.log');
}

// The record must be written even when the configuration is broken (or was never reached):
// read log.path without trusting the rest of the file.
function readLogPathLeniently(config: ConfigSource): string | undefined {
  try {
    const text = config.text();
    if (text === undefined) return undefined;
    const path = (JSON.parse(text) as { log?: { path?: unknown } })?.log?.path;
    return typeof path === 'string' && path !== '' ? path : undefined;
  } catch {
    return undefined;
  }
}

function reportError(deps: RespondDeps, error: GeoResponseError): void {
  const message = toOneLine(error.message);
  try {
    deps.appendLine(resolve(deps.home, 'logs', 'active-responses.log'), formatActiveResponseLine(deps.now(), `${error.code}: ${message}`));
    deps.writeStderr(`geo-response: ${message}`);
  } catch (arError) {
    // active-responses.log refused or unwritable too (a link planted there): say so on the same
    // line of stderr, which is all that is left, so the refusal is never silent.
    deps.writeStderr(`geo-response: ${message}; and ${toOneLine(toGeoResponseError(arError).message)}`);
  }
}
