/*
 * Wazuh managers 4.2.5 and later escape `!`, `$`, `'` and backtick for agents 4.2.0–4.2.4 by
 * replacing each, in the printed JSON, with `\\x21`, `\\x24`, `\\x27`, `\\x60` (analysisd's
 * ar_json.c): the line stays valid JSON and the decoded strings carry `\x21`-style text.
 */

const ESCAPED: Readonly<Record<string, string>> = { '21': '!', '24': '$', '27': "'", '60': '`' };

/** A decoded string with those four escapes undone; other text (and other `\x` sequences) is kept. Cheap when there is none. */
export function undoWazuh42Escapes(text: string): string {
  let at = text.indexOf('\\x');
  if (at === -1) return text;
  let out = '';
  let from = 0;
  while (at !== -1) {
    const char = ESCAPED[text.slice(at + 2, at + 4)];
    if (char !== undefined) {
      out += text.slice(from, at) + char;
      from = at + 4;
      at = text.indexOf('\\x', from);
    } else {
      at = text.indexOf('\\x', at + 1);
    }
  }
  return out + text.slice(from);
}
