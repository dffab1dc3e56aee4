// Waits for the synchronous stdin/stdout of an alert (execd-stdio.ts): the process has nothing
// else to do while it waits for execd, so it sleeps outright instead of running an event loop.

/** The first pause after "no data yet": execd answers check_keys within microseconds to a millisecond. */
const POLL_FIRST_MS = 0.05;
/** The longest pause: bounds the extra latency of a late answer, and the wake-ups of a long wait (10 s → ~5,000). */
const POLL_MAX_MS = 2;

let cell: Int32Array | undefined;

/** Sleep the whole thread for `ms` (fractions allowed): Atomics.wait on a cell that nobody ever notifies. */
export function sleepSync(ms: number): void {
  cell ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(cell, 0, 0, ms);
}

/** Pauses that grow from POLL_FIRST_MS to POLL_MAX_MS, until a deadline. */
export interface PollWait {
  /** Sleep one pause, never past the deadline; false once the deadline has come (nothing slept). */
  wait(): boolean;
  /** Something arrived: the next pause is short again. */
  reset(): void;
}

/**
 * A back-off for polling a non-blocking descriptor for at most `timeoutMs` from now. The clock is
 * the monotonic one: a wall clock set back an hour must not make a 5 s wait last an hour.
 */
export function createPollWait(timeoutMs: number): PollWait {
  const deadlineMs = monotonicMs() + timeoutMs;
  let pauseMs = POLL_FIRST_MS;
  return {
    wait() {
      const remaining = deadlineMs - monotonicMs();
      if (remaining <= 0) return false;
      sleepSync(Math.min(pauseMs, remaining));
      pauseMs = Math.min(pauseMs * 2, POLL_MAX_MS);
      return true;
    },
    reset() {
      pauseMs = POLL_FIRST_MS;
    },
  };
}

function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
