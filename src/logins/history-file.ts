import { join } from 'node:path';
import { acquireLock, type LockOptions, type LockSpec } from '../firewall/firewall-lock.js';
import { readRootOnlyState, stateError, writeRootOnlyState, type StateFileLabel } from '../state/root-only-file.js';
import { ageHistory, parseLoginHistory, formatLoginHistory, type HistoryLimits, type LoginHistory } from './login-history.js';

const LABEL: StateFileLabel = { what: 'login history', code: 'LOGIN_HISTORY_FAILED' };
const LOCK: LockSpec = { fileName: 'logins.lock', what: 'login history lock', code: 'LOGIN_HISTORY_FAILED' };
// 10,000 users of three countries each take about 4 MB; well past max_users is not our file.
const MAX_HISTORY_BYTES = 32 * 1024 * 1024;

/**
 * The login history of an installation: `<home>/active-response/state/logins.json`, beside the
 * block state, in a directory only root can enter, under active-response/, which only root can
 * write in OSSEC and Wazuh alike (logs/, var/run/ and Wazuh's etc/ are the group's).
 */
export function loginHistoryPath(home: string): string {
  return join(home, 'active-response', 'state', 'logins.json');
}

/** The history the file holds; empty when there is none. Refused when it fails the trust rule. */
export function readLoginHistory(path: string): LoginHistory {
  const text = readRootOnlyState(path, MAX_HISTORY_BYTES, LABEL);
  if (text === undefined) return new Map();
  try {
    return parseLoginHistory(text);
  } catch (error) {
    throw stateError(LABEL, `${path} is not a login history (${(error as Error).message}); move it aside to start a new one`, error);
  }
}

/**
 * Read the history, let `change` compute the next one (and whatever it found), age it, write it
 * back: all under the logins lock, so concurrent alerts each see the one before.
 */
export async function updateLoginHistory<T>(path: string, nowMs: number, limits: HistoryLimits, change: (history: LoginHistory) => { history: LoginHistory; result: T }, lock: LockOptions = {}): Promise<T> {
  const release = await acquireLock(LOCK, lock);
  try {
    const { history, result } = change(readLoginHistory(path));
    writeRootOnlyState(path, formatLoginHistory(ageHistory(history, nowMs, limits)), LABEL);
    return result;
  } finally {
    release();
  }
}
