import type { RestoreEntry } from '../firewall/firewall-types.js';
import { MAX_STATE_BLOCKS, secondsLeft, STATE_HEADER } from './block-state.js';
import { recordedAddress } from './recorded-address.js';
import type { RestorableState } from './restorable-state.js';

const FOOTER = '\n]}\n';
const ROW_SEPARATOR = ',\n';
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const NEWLINE = 0x0a;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
// Up to 15 digits a number is exact in a double, as JSON.parse reads it, and within what a Date holds.
const MAX_DIGITS = 15;

/**
 * What `restore` makes of the state, read straight from the file's text when every row is laid
 * out exactly as formatBlockState writes it (`["ip","backend",since_ms,expires_ms]`, plain
 * strings, whole numbers); undefined for anything else (an older version, an edited file), which
 * the caller then parses in full. The result is restorableFromState's on the parsed text
 * (restore-scan.test.ts compares them), the rewrite included, which keeps the rows' own text.
 *
 * Why by hand: with 100,000 blocks, JSON.parse (an array per row, collected afterwards) and then a
 * regular expression per row each cost about a tenth of the second `restore` must fit in, most of
 * it on the first and only pass, before the JIT has warmed up.
 */
export function scanRestorable(text: string, nowMs: number): RestorableState | undefined {
  if (!text.startsWith(STATE_HEADER)) return undefined;
  if (text.length === STATE_HEADER.length + FOOTER.length) return text.endsWith(FOOTER) ? { entries: [], ended: 0, unusable: 0 } : undefined;
  const entries: RestoreEntry[] = [];
  // Where each kept row starts and ends, for the rewrite.
  const keptSpans: number[] = [];
  let ended = 0;
  let unusable = 0;
  let at = STATE_HEADER.length;
  for (;;) {
    if (text.charCodeAt(at) !== OPEN_BRACKET) return undefined;
    const ipEnd = plainStringEnd(text, at + 1);
    if (ipEnd < 0 || text.charCodeAt(ipEnd + 1) !== COMMA) return undefined;
    const backendEnd = plainStringEnd(text, ipEnd + 2);
    if (backendEnd < 0 || text.charCodeAt(backendEnd + 1) !== COMMA) return undefined;
    const sinceEnd = wholeNumberEnd(text, backendEnd + 2);
    if (sinceEnd < 0 || text.charCodeAt(sinceEnd) !== COMMA) return undefined;
    let expiresMs: number | null = null;
    let rowEnd: number;
    if (text.startsWith('null', sinceEnd + 1)) rowEnd = sinceEnd + 5;
    else {
      rowEnd = wholeNumberEnd(text, sinceEnd + 1);
      if (rowEnd < 0) return undefined;
      expiresMs = lastNumber;
    }
    if (text.charCodeAt(rowEnd) !== CLOSE_BRACKET) return undefined;

    if (expiresMs !== null && expiresMs <= nowMs) ended += 1;
    else {
      // More live blocks than the state may hold are pruneBlockState's to cut (keeping those that end last).
      if (entries.length + unusable >= MAX_STATE_BLOCKS) return undefined;
      const address = recordedAddress(text.slice(at + 2, ipEnd));
      if (address === undefined) unusable += 1;
      else {
        entries.push({ address, remainingSeconds: expiresMs === null ? 0 : secondsLeft(expiresMs, nowMs) });
        keptSpans.push(at, rowEnd + 1);
      }
    }

    if (text.charCodeAt(rowEnd + 1) === COMMA && text.charCodeAt(rowEnd + 2) === NEWLINE) at = rowEnd + 1 + ROW_SEPARATOR.length;
    else if (rowEnd + 1 + FOOTER.length === text.length && text.endsWith(FOOTER)) break;
    else return undefined;
  }
  if (ended === 0 && unusable === 0) return { entries, ended, unusable };
  const rows: string[] = [];
  for (let index = 0; index < keptSpans.length; index += 2) rows.push(text.slice(keptSpans[index], keptSpans[index + 1]));
  return { entries, ended, unusable, rewrite: `${STATE_HEADER}${rows.join(ROW_SEPARATOR)}${FOOTER}` };
}

/** Where the string starting with a quote at `at` closes; -1 when it does not start there, holds an escape or a control character, or never closes. */
function plainStringEnd(text: string, at: number): number {
  if (text.charCodeAt(at) !== QUOTE) return -1;
  for (let index = at + 1; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) return index;
    if (code === BACKSLASH || code < 0x20) return -1;
  }
  return -1;
}

// The value of the digits wholeNumberEnd last read: returned beside the position without an object or a slice per row.
let lastNumber = 0;

/** Where the run of 1 to MAX_DIGITS digits starting at `at` ends (its value in lastNumber); -1 when there is none or it is longer (or has a leading zero, which JSON forbids). */
function wholeNumberEnd(text: string, at: number): number {
  let index = at;
  let value = 0;
  while (index < text.length && index - at <= MAX_DIGITS) {
    const code = text.charCodeAt(index);
    if (code < DIGIT_0 || code > DIGIT_9) break;
    value = value * 10 + (code - DIGIT_0);
    index += 1;
  }
  const digits = index - at;
  if (digits === 0 || digits > MAX_DIGITS || (digits > 1 && text.charCodeAt(at) === DIGIT_0)) return -1;
  lastNumber = value;
  return index;
}
