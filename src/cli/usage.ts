/** The --help text. */
export function formatUsage(version: string): string {
  return `geo-response ${version} — geolocating active response for OSSEC and Wazuh

Usage:
  geo-response add|delete <user> <srcip> <alertid> <ruleid> <location…> [<filename>]
                                   as OSSEC's execd calls it
  geo-response                     Wazuh 4.x/5.x: one JSON message on stdin
  geo-response lookup [--json] [--db FILE] [--asn-db FILE] <ip>…
                                   geolocate addresses, print the normalised records
  geo-response report [options] [FILE…] summarise the geo log (report --help)
  geo-response check [<sample-ip>] validate configuration, databases and firewall backend
  geo-response blocks [list|remove <ip>…|restore]
                                   what is blocked and why; lift blocks; put them back after a reboot
  geo-response --help | --version  (and <command> --help)

Files (home = GEO_RESPONSE_HOME, else the directory above active-response/bin/):
  <home>/etc/geo-response.json     configuration (optional: without it, log only)
  <home>/logs/geo-response.log     the geo log, one JSON record per invocation
  <home>/logs/active-responses.log errors, one line each

Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad input, 4 bad configuration,
  5 database/lookup failure, 6 firewall command failed, 7 log not writable,
  8 no reply from execd to check_keys.
`;
}

const COMMAND_WORDS = ['lookup', 'report', 'check', 'blocks', 'help'];

/**
 * The one-line usage error for a command line typed at a terminal that is neither a command
 * nor execd's (`add`/`delete`): a typo names the command it most likely meant.
 */
export function describeTerminalMistake(first: string | undefined): string {
  if (first === undefined) return 'no command; see geo-response --help (execd calls it with add|delete or a JSON message on stdin)';
  const near = COMMAND_WORDS.find((word) => editDistance(word, first.toLowerCase()) <= 2);
  return `unknown command ${JSON.stringify(first.slice(0, 40))}${near ? ` (did you mean "${near}"?)` : ''}; see geo-response --help`;
}

// Levenshtein distance; the words are a few letters long.
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
