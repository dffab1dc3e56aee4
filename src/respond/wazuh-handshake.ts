import { GeoResponseError } from '../errors.js';
import { parseJsonMessage } from '../invocation/parse-json-message.js';
import type { LineSource } from './line-source.js';

/** How long we wait for execd's answer to check_keys before giving up (documented in docs/protocols.md). */
export const CHECK_KEYS_REPLY_TIMEOUT_MS = 5000;

/** The check_keys message a stateful Wazuh 4 response writes first, keyed on the attacker's address. */
export function formatCheckKeys(key: string): string {
  return JSON.stringify({
    version: 1,
    origin: { name: 'geo-response', module: 'active-response' },
    command: 'check_keys',
    parameters: { keys: [key] },
  });
}

/**
 * Send check_keys and read execd's one-line answer: the original message with `command`
 * replaced by `continue` or `abort`. Read exactly one line — execd never closes stdin — and
 * give up after a bounded wait rather than hang forever.
 */
export async function runCheckKeysHandshake(key: string, write: (line: string) => void, lines: LineSource, timeoutMs: number): Promise<'continue' | 'abort'> {
  try {
    write(formatCheckKeys(key));
  } catch (error) {
    // execd gone (EPIPE), or a non-blocking stdout that stayed full (execd-stdio.ts): no answer can come.
    throw new GeoResponseError(`could not write check_keys to stdout: ${(error as Error).message}`, { code: 'HANDSHAKE_FAILED', kind: 'handshake', cause: error });
  }
  const reply = await lines.nextLine(timeoutMs);
  if (reply.kind === 'timeout') {
    throw new GeoResponseError(`no reply to check_keys within ${timeoutMs} ms: execd did not answer continue or abort`, { code: 'HANDSHAKE_TIMEOUT', kind: 'handshake' });
  }
  if (reply.kind !== 'line') {
    const why = reply.kind === 'eof' ? 'stdin closed' : 'reply line too long';
    throw new GeoResponseError(`no reply to check_keys: ${why}`, { code: 'HANDSHAKE_FAILED', kind: 'handshake' });
  }
  const command = readCommand(reply.line);
  if (command === 'continue' || command === 'abort') return command;
  throw new GeoResponseError(`unexpected reply to check_keys: command ${JSON.stringify(command)} (expected "continue" or "abort")`, { code: 'HANDSHAKE_FAILED', kind: 'handshake' });
}

// The reply is our own message echoed back, so it carries the same Wazuh 4.2 escaping.
function readCommand(line: string): unknown {
  try {
    return parseJsonMessage(line).command;
  } catch (error) {
    throw new GeoResponseError(`reply to check_keys is not a JSON object: ${(error as Error).message}`, { code: 'HANDSHAKE_FAILED', kind: 'handshake', cause: error });
  }
}
