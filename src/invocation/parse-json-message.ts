import { GeoResponseError } from '../errors.js';

// Wazuh agents 4.2.0–4.2.4 shell-escape !, $, ' and backtick inside the message as \xNN, which
// is not valid JSON. Undo exactly those four, and only where the backslash is not itself escaped.
const WAZUH_42_ESCAPES = /(?<!\\)((?:\\\\)*)\\x(21|24|27|60)/g;

/** Parse execd's one JSON line into an object, tolerating the Wazuh 4.2 escaping bug. */
export function parseJsonMessage(line: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    parsed = parseWithWazuh42Escapes(line, error);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new GeoResponseError('stdin JSON is not an object', { code: 'INVALID_JSON', kind: 'input' });
  }
  return parsed as Record<string, unknown>;
}

function parseWithWazuh42Escapes(line: string, firstError: unknown): unknown {
  if (line.includes('\\x')) {
    const repaired = line.replace(WAZUH_42_ESCAPES, (_match, slashes: string, hex: string) => slashes + String.fromCharCode(Number.parseInt(hex, 16)));
    try {
      return JSON.parse(repaired);
    } catch {
      // Fall through to report the original error, which describes what execd really sent.
    }
  }
  throw new GeoResponseError(`stdin is not valid JSON: ${(firstError as Error).message}`, {
    code: 'INVALID_JSON',
    kind: 'input',
    cause: firstError,
  });
}
