import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { GeoResponseError, toGeoResponseError, toOneLine } from '../errors.js';
import { EMPTY_STATE, type BlockState } from '../blocks/block-state.js';
import { joinBlocks, type BlocksView } from '../blocks/join-blocks.js';
import { listFirewallBlocks } from '../blocks/list-firewall.js';
import { listReasonLogs, readBlockReasons } from '../blocks/read-block-reasons.js';
import { removeBlock } from '../blocks/remove-block.js';
import { renderBlocksJson, renderBlocksTable } from '../blocks/render-blocks.js';
import { restoreBlocks } from '../blocks/restore-blocks.js';
import { readRecordedBlocks } from '../blocks/change-files.js';
import { blockStatePath } from '../blocks/state-path.js';
import { DEFAULT_BIN_DIRS } from '../firewall/find-binary.js';
import type { BlockInventory } from '../firewall/firewall-types.js';
import { createExecaRunner } from '../firewall/run-command.js';
import { selectBackend } from '../firewall/select-backend.js';
import { parseIpAddress, type IpAddress } from '../geo/ip-address.js';
import { appendLine } from '../log/append-line.js';
import type { Config } from '../policy/config-schema.js';
import { defaultLogPath } from '../report/find-log-files.js';
import type { ReportEvent } from '../report/report-event.js';
import { createInstalledConfigSource, loadConfig } from '../respond/load-config.js';
import { locateConfig } from '../trust/config-location.js';
import { EXIT_CODES, exitCodeFor } from './exit-codes.js';
import { commandUsageError, parseCommandArgs } from './parse-command-args.js';
import { readConfigText } from './system-io.js';

export interface BlocksCommandIo {
  home: string;
  env: NodeJS.ProcessEnv;
  version: string;
  now(): Date;
  stdoutIsTTY: boolean;
  writeStdout(text: string): void;
  writeStderr(text: string): void;
}

export const BLOCKS_USAGE = `Usage: geo-response blocks [list] [--format table|json | --json]
       geo-response blocks remove <ip>...
       geo-response blocks restore [--dry-run]

  list      what the firewall blocks now (read from the firewall itself), with why: country, AS,
            since, expires, rule and agent from the geo log. Addresses in the firewall that no
            record explains are listed too, marked. Table at a terminal, JSON otherwise.
  remove    lift these blocks now and write a record of each (who, when). execd's later delete
            finds nothing to remove; a new alert blocks again. For good: policy.never_block.
  restore   put back every recorded block that has not ended, with the time it has left, and
            nothing else (after a reboot, nft flush ruleset, a firewalld reload). Idempotent.

  --format F        table | json (list; default: table on a terminal, else json)
  --json            the same as --format json
  --dry-run         restore: print the commands, run nothing
  -h, --help        this text
State: <home>/active-response/state/blocks.json (root only; docs/blocks.md).
Exit codes: 0 ok, 2 usage, 3 not an IP address, 4 configuration, 6 a firewall command failed,
  7 the record could not be written.
`;

interface BlocksOptions {
  action: 'list' | 'remove' | 'restore' | 'help';
  json?: boolean;
  dryRun: boolean;
  addresses: IpAddress[];
}

/** `geo-response blocks [list|remove|restore]`: see BLOCKS_USAGE. */
export async function runBlocksCommand(args: string[], io: BlocksCommandIo): Promise<number> {
  try {
    const options = parseBlocksArgs(args);
    if (options.action === 'help') {
      io.writeStdout(BLOCKS_USAGE);
      return EXIT_CODES.ok;
    }
    const config = await loadConfig(createInstalledConfigSource(locateConfig(io.home), readConfigText), undefined);
    const backend = selectBackend(config.firewall);
    if (options.action === 'remove') return await runRemove(options.addresses, config, io);
    if (backend?.inventory === undefined) return reportNoInventory(options, config, io);
    if (options.action === 'restore') return await runRestore(backend.inventory, config, options.dryRun, io);
    return await runList(backend.inventory, config, options.json ?? !io.stdoutIsTTY, io);
  } catch (error) {
    const failure = toGeoResponseError(error);
    io.writeStderr(`geo-response: ${toOneLine(failure.message)}\n`);
    return exitCodeFor(failure.kind);
  }
}

function parseBlocksArgs(args: string[]): BlocksOptions {
  const { values, positionals } = parseCommandArgs('blocks', args, {
    format: { type: 'string' },
    json: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) return { action: 'help', dryRun: false, addresses: [] };
  const [action = 'list', ...rest] = positionals;
  if (action !== 'list' && action !== 'remove' && action !== 'restore') throw commandUsageError('blocks', `unknown action ${JSON.stringify(action.slice(0, 40))}: expected list, remove or restore`);
  if (values.format !== undefined && values.format !== 'table' && values.format !== 'json') throw commandUsageError('blocks', `--format ${JSON.stringify(values.format.slice(0, 40))}: expected table or json`);
  if ((values.format !== undefined || values.json === true) && action !== 'list') throw commandUsageError('blocks', '--format and --json go with list');
  if (values['dry-run'] === true && action !== 'restore') throw commandUsageError('blocks', '--dry-run goes with restore');
  if (action === 'remove' && rest.length === 0) throw commandUsageError('blocks', 'remove needs at least one address');
  if (action !== 'remove' && rest.length > 0) throw commandUsageError('blocks', `${action} takes no addresses`);
  // Every address is checked before the first block is lifted: a typo changes nothing.
  const addresses = rest.map((ip) => parseIpAddress(ip));
  const json = values.json === true || values.format === 'json' ? true : values.format === 'table' ? false : undefined;
  return { action, ...(json === undefined ? {} : { json }), dryRun: values['dry-run'] === true, addresses };
}

function reportNoInventory(options: BlocksOptions, config: Config, io: BlocksCommandIo): number {
  const why =
    config.firewall.backend === 'none'
      ? 'firewall.backend is "none": geo-response blocks nothing'
      : `firewall.backend is "${config.firewall.backend}": its script keeps its own blocks, which geo-response can neither list nor restore`;
  if (options.action === 'restore') {
    // At boot, a policy that never blocks is not an error.
    io.writeStdout(`nothing to restore: ${why}\n`);
    return EXIT_CODES.ok;
  }
  io.writeStderr(`geo-response: blocks: ${why}\n`);
  return EXIT_CODES.config;
}

async function runList(inventory: BlockInventory, config: Config, json: boolean, io: BlocksCommandIo): Promise<number> {
  const backend = config.firewall.backend;
  const listed = await listFirewallBlocks(inventory, backend, createExecaRunner({ env: io.env }), DEFAULT_BIN_DIRS);
  const state = readStateForDisplay(io);
  const reasons = await readReasonsForDisplay(logPathOf(config, io.home), new Set(listed.map((block) => block.ip)), io);
  const view: BlocksView = joinBlocks({ backend, nativeExpiry: inventory.nativeExpiry, reportsExpiry: inventory.reportsExpiry, listed, state, reasons, nowMs: io.now().getTime() });
  io.writeStdout(json ? renderBlocksJson(view) : renderBlocksTable(view));
  return EXIT_CODES.ok;
}

// The list is what the firewall holds; the state and the log only add to it: without them it is still right.
function readStateForDisplay(io: BlocksCommandIo): BlockState {
  try {
    return readRecordedBlocks(blockStatePath(io.home), io.now().getTime());
  } catch (error) {
    io.writeStderr(`geo-response: warning: ${toOneLine(toGeoResponseError(error).message)}; listing without it\n`);
    return EMPTY_STATE;
  }
}

async function readReasonsForDisplay(logPath: string, ips: Set<string>, io: BlocksCommandIo): Promise<Map<string, ReportEvent>> {
  if (ips.size === 0) return new Map();
  try {
    return await readBlockReasons(listReasonLogs(logPath), ips);
  } catch (error) {
    io.writeStderr(`geo-response: warning: ${toOneLine(toGeoResponseError(error).message)}; listing without the geo log's reasons\n`);
    return new Map();
  }
}

async function runRestore(inventory: BlockInventory, config: Config, dryRun: boolean, io: BlocksCommandIo): Promise<number> {
  const backend = config.firewall.backend;
  const planOnly = dryRun || config.firewall.dry_run;
  const result = await restoreBlocks({ backend, inventory, statePath: blockStatePath(io.home), env: io.env, now: io.now, dryRun: planOnly });
  const verb = planOnly ? 'would restore' : 'restored';
  const unusable = result.unusable > 0 ? `; ${result.unusable} not an address as geo-response records it (edited by hand?), left out and dropped from the state` : '';
  const lines = [`${verb} ${result.restored} block(s) into ${backend}; ${result.alreadyThere.length} already there; ${result.ended} ended and dropped from the state${unusable}`];
  if (planOnly) lines.push(...result.commands.map((command) => `  ${command}`));
  io.writeStdout(`${lines.join('\n')}\n`);
  return EXIT_CODES.ok;
}

async function runRemove(addresses: IpAddress[], config: Config, io: BlocksCommandIo): Promise<number> {
  if (config.firewall.backend === 'none') throw new GeoResponseError('blocks remove: firewall.backend is "none": geo-response blocks nothing, so there is nothing to remove', { code: 'NO_FIREWALL_BACKEND', kind: 'config' });
  const logPath = logPathOf(config, io.home);
  let exitCode: number = EXIT_CODES.ok;
  for (const address of addresses) {
    let recordError: GeoResponseError | undefined;
    const outcome = await removeBlock(address, config.firewall, {
      env: io.env,
      createRunner: createExecaRunner,
      statePath: blockStatePath(io.home),
      now: io.now,
      version: io.version,
      requestedBy: whoIsAsking(io.env),
      appendRecord(line) {
        try {
          appendLine(logPath, line);
        } catch (error) {
          recordError = toGeoResponseError(error);
        }
      },
    });
    if (outcome.error) {
      io.writeStderr(`geo-response: ${address.text}: ${toOneLine(outcome.fields.error ?? outcome.error.message)}\n`);
      exitCode = exitCodeFor(outcome.error.kind);
    } else {
      io.writeStdout(`${address.text}: ${outcome.fields.result === 'unblocked' ? 'unblocked' : 'was not blocked'} (${config.firewall.backend})${recordError ? '' : `; recorded in ${logPath}`}\n`);
    }
    if (recordError) {
      io.writeStderr(`geo-response: ${address.text}: the block is lifted, but its record is not written: ${toOneLine(recordError.message)}\n`);
      exitCode = exitCodeFor(recordError.kind);
    }
  }
  if (exitCode === EXIT_CODES.ok) io.writeStdout(`To keep them unblocked for good, add them to policy.never_block in the configuration.\n`);
  return exitCode;
}

function logPathOf(config: Config, home: string): string {
  return config.log.path === undefined ? defaultLogPath(home) : resolve(home, config.log.path);
}

// sudo leaves the name of the person who typed the command; root's own name says less.
function whoIsAsking(env: NodeJS.ProcessEnv): { user: string; uid: number } {
  const uid = process.getuid?.() ?? -1;
  let user = env.SUDO_USER || env.USER || env.LOGNAME || '';
  if (user === '') {
    try {
      user = userInfo().username;
    } catch {
      user = `uid ${uid}`;
    }
  }
  return { user: user.slice(0, 64), uid };
}
