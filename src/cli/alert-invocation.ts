/** The first words that name a command run by hand; main.ts dispatches exactly these. */
export const HAND_RUN_COMMANDS: ReadonlySet<string> = new Set(['--help', '-h', 'help', '--version', '-V', 'lookup', 'report', 'check', 'blocks']);

/**
 * Whether a command line is an alert: anything but a command run by hand — execd's `add`/`delete`
 * (OSSEC argv), no argument or only extra arguments (Wazuh's JSON on stdin), or arguments no
 * command takes, which the alert path refuses with a record. The loader asks before the program
 * exists (alerts use code caches), main.ts to dispatch, bin.ts at the end (alerts exit at once).
 */
export function isAlertInvocation(args: readonly string[]): boolean {
  const first = args[0];
  return first === undefined || !HAND_RUN_COMMANDS.has(first);
}
