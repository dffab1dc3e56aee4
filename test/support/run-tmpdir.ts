/**
 * vitest's global setup: every test's temporary files go in one directory of this run, removed at
 * the end, so the suite leaves nothing in /tmp however many temp dirs a test forgets (workers and
 * the children they spawn inherit TMPDIR). 0755 and root's: the accounts the tests make (an
 * attacker, OSSEC's daemons) must reach their installs below it, and the trust rule accepts it.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'gr-test-run-'));
  chmodSync(dir, 0o755);
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
