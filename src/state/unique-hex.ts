let counter = 0;

/**
 * A hex string no other call of this process returns (the monotonic clock, then a counter), for
 * file names that also carry the pid, unique among live processes. Why not crypto.randomBytes:
 * these names only have to differ, not be guessed, and loading crypto cost a blocking alert
 * milliseconds (a profile of one: node:crypto was 8 % of its time).
 */
export function uniqueHex(): string {
  counter += 1;
  return `${process.hrtime.bigint().toString(16)}${counter.toString(16).padStart(4, '0')}`;
}
