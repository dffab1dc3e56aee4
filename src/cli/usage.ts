/** The --help text. */
export function formatUsage(version: string): string {
  return `geo-response ${version} — geolocating active response for OSSEC and Wazuh

Usage:
  geo-response add|delete <user> <srcip> <alertid> <ruleid> <location…> [<filename>]
                                   as OSSEC's execd calls it
  geo-response                     Wazuh 4.x/5.x: one JSON message on stdin
  geo-response lookup [--json] <ip>…   geolocate addresses, print the normalised records
  geo-response report [options] [FILE…] summarise the geo log (report --help)
  geo-response check [<sample-ip>] validate configuration, databases and firewall backend
  geo-response --help | --version

Files (home = GEO_RESPONSE_HOME, else the directory above active-response/bin/):
  <home>/etc/geo-response.json     configuration (optional: without it, log only)
  <home>/logs/geo-response.log     the geo log, one JSON record per invocation
  <home>/logs/active-responses.log errors, one line each

Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad input, 4 bad configuration,
  5 database/lookup failure, 6 firewall command failed, 7 log not writable,
  8 no reply from execd to check_keys.
`;
}
