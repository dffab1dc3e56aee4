import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const IP = '/usr/sbin/ip';
let counter = 0;

/** Why real-firewall tests cannot run here (not root, a program missing), or undefined when they can. */
export function whyNoNetns(programs: string[]): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces (CI runs as root)';
  if (!existsSync(IP)) return `${IP} (iproute2) is not installed`;
  const missing = programs.filter((program) => findSbin(program) === undefined);
  if (missing.length > 0) return `${missing.join(', ')} not installed`;
  return undefined;
}

/** A fresh network namespace named gr-fw-<pid>-<tag>-<n>; delete it with deleteNetns in afterAll. */
export function createNetns(tag: string): string {
  counter += 1;
  const name = `gr-fw-${process.pid}-${tag}-${counter}`;
  execFileSync(IP, ['netns', 'add', name]);
  execFileSync(IP, ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

/** Remove a namespace (and with it every firewall rule made inside); never throws, so afterAll always finishes. */
export function deleteNetns(name: string | undefined): void {
  if (name !== undefined) spawnSync(IP, ['netns', 'delete', name]);
}

/** Run a program inside the namespace; returns exit status and output, never throws. */
export function execInNetns(ns: string, program: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(IP, ['netns', 'exec', ns, findSbin(program) ?? program, ...args], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 256 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A bin dir whose programs run the real ones inside the namespace: pass it as applyFirewall's binDirs,
 * so the code under test runs unchanged while nothing touches the host's own firewall.
 */
export function createNetnsBinDir(ns: string, programs: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'gr-fw-bin-'));
  for (const program of programs) {
    const real = findSbin(program);
    if (real === undefined) continue;
    const path = join(dir, program);
    writeFileSync(path, `#!/bin/sh\nexec ${IP} netns exec '${ns}' '${real}' "$@"\n`);
    chmodSync(path, 0o755);
  }
  return dir;
}

/** Poll until the check holds or the deadline passes; returns whether it held (for expiry, never a fixed sleep). */
export async function waitFor(check: () => boolean, deadlineMs: number, intervalMs = 100): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return check();
}

function findSbin(program: string): string | undefined {
  return ['/usr/sbin', '/sbin', '/usr/bin', '/bin'].map((dir) => join(dir, program)).find((path) => existsSync(path));
}
