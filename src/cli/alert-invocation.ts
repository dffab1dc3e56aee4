/**
 * Whether a command line is an alert: execd's `add`/`delete` (OSSEC argv), or no argument at all
 * (Wazuh's JSON on stdin). Everything else names a command run by hand. The loader asks before the
 * program exists (alerts use code caches), bin.ts at the end (alerts exit at once).
 */
export function isAlertInvocation(args: readonly string[]): boolean {
  const first = args[0];
  return first === undefined || first === 'add' || first === 'delete';
}
