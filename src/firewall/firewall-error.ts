import { GeoResponseError, toOneLine } from '../errors.js';
import { quoteCommand } from './quote-command.js';
import type { PlannedCommand } from './firewall-types.js';
import type { CommandResult } from './command-runner.js';

/** A firewall command that failed: keeps its command line, exit code and stderr for the record. */
export class FirewallCommandError extends GeoResponseError {
  readonly commandLine: string;
  readonly exitCode: number | undefined;
  readonly stderr: string;

  constructor(command: PlannedCommand, result: CommandResult) {
    const commandLine = quoteCommand(command);
    const how = result.failure ?? `exited ${result.exitCode}`;
    const output = toOneLine(result.stderr || result.stdout);
    super(`firewall command failed: ${commandLine} ${how}${output ? `: ${output}` : ''}`, {
      code: result.timedOut ? 'FIREWALL_COMMAND_TIMEOUT' : 'FIREWALL_COMMAND_FAILED',
      kind: 'command',
      cause: result,
    });
    this.name = 'FirewallCommandError';
    this.commandLine = commandLine;
    this.exitCode = result.exitCode;
    this.stderr = result.stderr;
  }
}

/** The backend's programs are not installed: detected before anything changes. */
export function createMissingBinaryError(programs: string[], binDirs: readonly string[], backend: string): GeoResponseError {
  return new GeoResponseError(
    `firewall backend ${backend}: ${programs.join(', ')} not found in ${binDirs.join(', ')}; install it or choose another firewall.backend`,
    { code: 'FIREWALL_BINARY_MISSING', kind: 'command' },
  );
}
