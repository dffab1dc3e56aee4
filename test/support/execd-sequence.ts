/**
 * What execd does for a stateful (timed) active response: run `add`, and
 * after the `<timeout>` run `delete` with exactly the same arguments (OSSEC
 * argv) or the same message with command `delete` (Wazuh 4). The delay is a
 * test setting standing in for execd's timeout, not a wait for an event.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { runOssec, runWazuh4, type ExecdOptions, type ExecdResult } from './execd.js';

export interface SequenceOptions extends ExecdOptions {
  /** Stand-in for `<timeout>`: how long execd waits between add and delete (default 0). */
  timeoutBetweenMs?: number;
}

export interface SequenceResult {
  add: ExecdResult;
  delete: ExecdResult;
}

/** OSSEC: `add <args>` then `delete <args>`, the message split on spaces as execd does. */
export async function runOssecAddThenDelete(args: string, options: SequenceOptions): Promise<SequenceResult> {
  const { timeoutBetweenMs = 0, ...execd } = options;
  const add = await runOssec(`add ${args}`, execd);
  await delay(timeoutBetweenMs);
  const del = await runOssec(`delete ${args}`, execd);
  return { add, delete: del };
}

/** Wazuh 4: the add message (answering check_keys with `continue`), then the same message as delete. */
export async function runWazuh4AddThenDelete(message: Record<string, unknown>, options: SequenceOptions): Promise<SequenceResult> {
  const { timeoutBetweenMs = 0, ...execd } = options;
  const add = await runWazuh4({ ...message, command: 'add' }, 'continue', execd);
  await delay(timeoutBetweenMs);
  const del = await runWazuh4({ ...message, command: 'delete' }, 'none', execd);
  return { add, delete: del };
}
