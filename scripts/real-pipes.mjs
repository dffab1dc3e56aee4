// A child's stdin and stdout as pipe(2) ends, as Wazuh's execd (wpopenv) gives them. Node's
// spawn with stdio 'pipe' gives socketpairs instead, which the executable reads another way
// (src/cli/execd-stdio.ts): the tests' execd stand-in and the bench's Wazuh rows, which mean to
// be execd, hand over real pipes. Node has no pipe(2), so these are FIFOs, unlinked as soon as
// both ends are open (an open FIFO is the same kernel pipe object as an anonymous one). The
// child's ends are opened first, non-blocking so that opening needs no peer; spawn makes a
// child's fds 0–2 blocking again, as execd's are.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Two pipes for a child's stdin and stdout: pass `childEnds` to spawn's stdio, then `closeChildEnds()`. */
export function openRealPipes() {
  const dir = mkdtempSync(path.join(tmpdir(), 'gr-pipes-'));
  try {
    const inPath = path.join(dir, 'stdin');
    const outPath = path.join(dir, 'stdout');
    execFileSync('mkfifo', ['-m', '600', inPath, outPath]);
    const childStdin = openSync(inPath, constants.O_RDONLY | constants.O_NONBLOCK);
    const ourStdin = openSync(inPath, constants.O_WRONLY);
    const ourStdout = openSync(outPath, constants.O_RDONLY | constants.O_NONBLOCK);
    const childStdout = openSync(outPath, constants.O_WRONLY);
    const stdin = new Socket({ fd: ourStdin, readable: false, writable: true });
    // The child may exit before reading all we wrote (EPIPE): that is its answer, not ours.
    stdin.on('error', () => undefined);
    return {
      childEnds: [childStdin, childStdout],
      stdin,
      stdout: new Socket({ fd: ourStdout, readable: true, writable: false }),
      closeChildEnds() {
        closeSync(childStdin);
        closeSync(childStdout);
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
