import type { Socket } from 'node:net';
export interface RealPipes {
  /** For spawn's stdio: [childStdin, childStdout]. */
  childEnds: [number, number];
  /** Our end of the child's stdin: end() it to close the pipe. */
  stdin: Socket;
  /** Our end of the child's stdout: ends when the child (its only writer) exits. */
  stdout: Socket;
  /** Close our copies of the child's ends once it is spawned (else its stdout never ends). */
  closeChildEnds(): void;
}
export function openRealPipes(): RealPipes;
