/**
 * The agent an OSSEC/Wazuh location names. analysisd writes an agent's events as
 * `(name) address->path` (`(web1) 10.0.0.5->/var/log/secure`; Wazuh writes `any` for an agent
 * registered without a fixed address); the server's own events carry the path alone.
 * Parsed by hand: no regular expression is compiled on the alert path.
 */
export function parseAgentLocation(location: string): { name: string; ip?: string } | undefined {
  if (!location.startsWith('(')) return undefined;
  const nameEnd = location.indexOf(') ');
  const arrow = location.indexOf('->', nameEnd + 2);
  if (nameEnd < 2 || arrow === -1) return undefined;
  const name = location.slice(1, nameEnd);
  const address = location.slice(nameEnd + 2, arrow);
  if (name.includes(')') || address === '' || address.includes(' ')) return undefined;
  return address === 'any' ? { name } : { name, ip: address };
}
