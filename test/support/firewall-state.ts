import { execInNetns } from './netns.js';

/** The addresses a backend currently blocks inside a namespace, read straight from the kernel's state. */
export function listBlocked(ns: string, backend: 'nftables' | 'ipset' | 'iptables', family: 4 | 6): string[] {
  if (backend === 'nftables') {
    const listed = execInNetns(ns, 'nft', ['-j', 'list', 'set', 'inet', 'geo_response', family === 4 ? 'blocked4' : 'blocked6']);
    if (listed.status !== 0) return [];
    const set = (JSON.parse(listed.stdout) as { nftables: Array<{ set?: { elem?: unknown[] } }> }).nftables.find((entry) => entry.set)?.set;
    return (set?.elem ?? []).map((elem) => (typeof elem === 'string' ? elem : (elem as { elem: { val: string } }).elem.val));
  }
  if (backend === 'ipset') {
    const saved = execInNetns(ns, 'ipset', ['save', family === 4 ? 'geo_response4' : 'geo_response6']);
    if (saved.status !== 0) return [];
    return saved.stdout.split('\n').filter((line) => line.startsWith('add ')).map((line) => line.split(' ')[2] ?? '');
  }
  const listed = execInNetns(ns, family === 4 ? 'iptables' : 'ip6tables', ['-w', '-S', 'GEO_RESPONSE']);
  if (listed.status !== 0) return [];
  return listed.stdout.split('\n').filter((line) => line.startsWith('-A GEO_RESPONSE -s ')).map((line) => (line.split(' ')[3] ?? '').replace(/\/(32|128)$/, ''));
}

/** The rules that send traffic to our blocks (match/jump/drop rules), so tests can assert each exists exactly once. */
export function listHookRules(ns: string, backend: 'nftables' | 'ipset' | 'iptables', family: 4 | 6): string[] {
  if (backend === 'nftables') {
    const listed = execInNetns(ns, 'nft', ['list', 'table', 'inet', 'geo_response']);
    return listed.stdout.split('\n').map((line) => line.trim()).filter((line) => line.endsWith(' drop'));
  }
  const listed = execInNetns(ns, family === 4 ? 'iptables' : 'ip6tables', ['-w', '-S']);
  const marker = backend === 'ipset' ? '--match-set' : '-j GEO_RESPONSE';
  return listed.stdout.split('\n').filter((line) => line.startsWith('-A ') && line.includes(marker));
}

/** The hook rules grouped by the chain that holds them, so tests can assert where each one is (not only how many there are). */
export function listHookRulesByChain(ns: string, backend: 'nftables' | 'ipset' | 'iptables', family: 4 | 6): Record<string, string[]> {
  const byChain: Record<string, string[]> = {};
  const add = (chain: string, rule: string) => (byChain[chain] ??= []).push(rule);
  if (backend === 'nftables') {
    let chain = '';
    for (const line of execInNetns(ns, 'nft', ['list', 'table', 'inet', 'geo_response']).stdout.split('\n').map((text) => text.trim())) {
      const opened = /^chain (\S+) \{$/.exec(line);
      if (opened) chain = opened[1]!;
      else if (line.endsWith(' drop')) add(chain, line);
    }
    return byChain;
  }
  for (const rule of listHookRules(ns, backend, family)) add(rule.split(' ')[1] ?? '', rule);
  return byChain;
}

/**
 * How long each blocked address has left, in milliseconds, as the kernel counts it (absent: no
 * timeout). nftables says it to the millisecond (`expires 59m57s496ms`), ipset to the second.
 */
export function listBlockTimeLeft(ns: string, backend: 'nftables' | 'ipset', family: 4 | 6): Map<string, number> {
  const left = new Map<string, number>();
  if (backend === 'nftables') {
    const listed = execInNetns(ns, 'nft', ['list', 'set', 'inet', 'geo_response', family === 4 ? 'blocked4' : 'blocked6']);
    for (const match of listed.stdout.matchAll(/([0-9a-f.:]+) timeout \S+ expires ((?:\d+d)?(?:\d+h)?(?:\d+m(?!s))?(?:\d+s)?(?:\d+ms)?)/g)) left.set(match[1]!, parseNftDuration(match[2]!));
    return left;
  }
  const saved = execInNetns(ns, 'ipset', ['save', family === 4 ? 'geo_response4' : 'geo_response6']);
  for (const match of saved.stdout.matchAll(/^add \S+ (\S+) timeout (\d+)$/gm)) left.set(match[1]!, Number(match[2]) * 1000);
  return left;
}

function parseNftDuration(text: string): number {
  const units: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  for (const part of text.matchAll(/(\d+)(ms|d|h|m|s)/g)) total += Number(part[1]) * (units[part[2]!] ?? 0);
  return total;
}
