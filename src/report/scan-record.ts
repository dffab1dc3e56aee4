/**
 * A pruned JSON.parse for geo-log lines: it walks the bytes of one line,
 * checks the whole line against the JSON grammar, and builds only the values
 * at the paths it is given (the few fields the report reads), skipping the
 * rest without making strings or objects of them.
 *
 * Why by hand: JSON.parse of every line was half of `report`'s time (a
 * 900-byte record builds some thirty strings and a dozen objects, then the
 * report reads ten of them); no maintained library parses selected fields out
 * of JSON in JavaScript faster than V8's own parser, because they all build
 * the full value. The contract that keeps this exact: at every path of the
 * tree the result holds what JSON.parse would give there — the same string,
 * number, boolean or null; an object (pruned) where JSON.parse gives an
 * object; an empty array where it gives an array — and later duplicate keys
 * replace earlier ones, as in JSON.parse. Whatever it is not built to be sure
 * of (escapes in a key, nesting deeper than MAX_DEPTH, any byte it does not
 * expect) it gives up on with FALLBACK, and the caller runs JSON.parse on the
 * line instead; invalid JSON gives FALLBACK too, so JSON.parse decides.
 */

/** Which members of an object to keep: `true` keeps the value whatever it is, a nested tree keeps that object's chosen members. */
export interface FieldTree {
  readonly [key: string]: true | FieldTree;
}

/** The scanner could not be sure: parse the line with JSON.parse. */
export const FALLBACK: unique symbol = Symbol('fallback');

type Json = Record<string, unknown>;

// Deeper nesting is legal JSON but never ours: JSON.parse handles it without recursion limits.
const MAX_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** One compiled level of a FieldTree: keys as bytes, for comparing without decoding. */
interface CompiledNode {
  keys: Uint8Array[];
  names: string[];
  children: Array<CompiledNode | undefined>;
}

function compileTree(tree: FieldTree): CompiledNode {
  const names = Object.keys(tree);
  return {
    names,
    keys: names.map((name) => new Uint8Array(Buffer.from(name, 'utf8'))),
    children: names.map((name) => {
      const child = tree[name];
      return child === true || child === undefined ? undefined : compileTree(child);
    }),
  };
}

function isWhitespace(byte: number): boolean {
  // JSON's four: space, tab, LF, CR.
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

function isDigit(byte: number): boolean {
  return byte >= DIGIT_0 && byte <= DIGIT_9;
}

function isHexDigit(byte: number): boolean {
  return isDigit(byte) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66);
}

/** A scanner for one FieldTree; `scan` is called once per line and reuses nothing between lines but the compiled tree. */
export class RecordScanner {
  private readonly root: CompiledNode;
  private bytes: Buffer = Buffer.alloc(0);
  private pos = 0;
  private end = 0;
  /** Set by skipString: whether the string just read had an escape, and whether it had a byte outside ASCII. */
  private sawEscape = false;
  private sawNonAscii = false;

  constructor(tree: FieldTree) {
    this.root = compileTree(tree);
  }

  /** The pruned value of `bytes[start, end)` (an object, or any other JSON value at the top), or FALLBACK. */
  scan(bytes: Buffer, start: number, end: number): unknown {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
    try {
      this.skipWhitespace();
      const value = this.readValue(this.root, 0);
      if (value === FALLBACK) return FALLBACK;
      this.skipWhitespace();
      return this.pos === this.end ? value : FALLBACK;
    } finally {
      // Do not keep the caller's read buffer alive between lines.
      this.bytes = EMPTY;
    }
  }

  private skipWhitespace(): void {
    const bytes = this.bytes;
    let pos = this.pos;
    while (pos < this.end && isWhitespace(bytes[pos] as number)) pos += 1;
    this.pos = pos;
  }

  /** A value kept whole when `node` is undefined, pruned to `node` when it is an object; FALLBACK when unsure. */
  private readValue(node: CompiledNode | undefined, depth: number): unknown {
    if (this.pos >= this.end) return FALLBACK;
    const byte = this.bytes[this.pos] as number;
    if (byte === QUOTE) return this.readString();
    if (byte === OPEN_BRACE) return this.readObject(node, depth + 1);
    if (byte === OPEN_BRACKET) return this.skipArray(depth + 1) ? [] : FALLBACK;
    if (byte === MINUS || isDigit(byte)) return this.readNumber();
    return this.readLiteral();
  }

  /** Like readValue, for a value nobody reads: checked, not built. */
  private skipValue(depth: number): boolean {
    if (this.pos >= this.end) return false;
    const byte = this.bytes[this.pos] as number;
    if (byte === QUOTE) return this.skipString();
    if (byte === OPEN_BRACE) return this.skipObject(depth + 1);
    if (byte === OPEN_BRACKET) return this.skipArray(depth + 1);
    if (byte === MINUS || isDigit(byte)) return this.skipNumber();
    return this.readLiteral() !== FALLBACK;
  }

  private readObject(node: CompiledNode | undefined, depth: number): unknown {
    if (depth > MAX_DEPTH) return FALLBACK;
    const result: Json = {};
    const bytes = this.bytes;
    this.pos += 1;
    this.skipWhitespace();
    if (this.pos < this.end && bytes[this.pos] === CLOSE_BRACE) {
      this.pos += 1;
      return result;
    }
    for (;;) {
      if (this.pos >= this.end || bytes[this.pos] !== QUOTE) return FALLBACK;
      const keyStart = this.pos + 1;
      if (!this.skipString()) return FALLBACK;
      const keyEnd = this.pos - 1;
      const index = node === undefined ? -1 : this.findKey(node, keyStart, keyEnd);
      // An escaped key may spell a wanted one ("sourc\u0065"): only JSON.parse can say.
      if (index === -2) return FALLBACK;
      this.skipWhitespace();
      if (this.pos >= this.end || bytes[this.pos] !== COLON) return FALLBACK;
      this.pos += 1;
      this.skipWhitespace();
      if (index >= 0) {
        const compiled = node as CompiledNode;
        const value = this.readValue(compiled.children[index], depth);
        if (value === FALLBACK) return FALLBACK;
        result[compiled.names[index] as string] = value;
      } else if (!this.skipValue(depth)) {
        return FALLBACK;
      }
      this.skipWhitespace();
      if (this.pos >= this.end) return FALLBACK;
      const next = bytes[this.pos];
      this.pos += 1;
      if (next === CLOSE_BRACE) return result;
      if (next !== COMMA) return FALLBACK;
      this.skipWhitespace();
    }
  }

  /** Index of the key `bytes[start, end)` in `node`, -1 when not wanted, -2 when it has an escape. */
  private findKey(node: CompiledNode, start: number, end: number): number {
    if (this.sawEscape) return -2;
    const bytes = this.bytes;
    const length = end - start;
    const keys = node.keys;
    for (let index = 0; index < keys.length; index += 1) {
      const key = keys[index] as Uint8Array;
      if (key.length !== length) continue;
      let same = true;
      for (let offset = 0; offset < length; offset += 1) {
        if (key[offset] !== bytes[start + offset]) {
          same = false;
          break;
        }
      }
      if (same) return index;
    }
    return -1;
  }

  private skipObject(depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    const bytes = this.bytes;
    this.pos += 1;
    this.skipWhitespace();
    if (this.pos < this.end && bytes[this.pos] === CLOSE_BRACE) {
      this.pos += 1;
      return true;
    }
    for (;;) {
      if (this.pos >= this.end || bytes[this.pos] !== QUOTE || !this.skipString()) return false;
      this.skipWhitespace();
      if (this.pos >= this.end || bytes[this.pos] !== COLON) return false;
      this.pos += 1;
      this.skipWhitespace();
      if (!this.skipValue(depth)) return false;
      this.skipWhitespace();
      if (this.pos >= this.end) return false;
      const next = bytes[this.pos];
      this.pos += 1;
      if (next === CLOSE_BRACE) return true;
      if (next !== COMMA) return false;
      this.skipWhitespace();
    }
  }

  private skipArray(depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    const bytes = this.bytes;
    this.pos += 1;
    this.skipWhitespace();
    if (this.pos < this.end && bytes[this.pos] === CLOSE_BRACKET) {
      this.pos += 1;
      return true;
    }
    for (;;) {
      if (!this.skipValue(depth)) return false;
      this.skipWhitespace();
      if (this.pos >= this.end) return false;
      const next = bytes[this.pos];
      this.pos += 1;
      if (next === CLOSE_BRACKET) return true;
      if (next !== COMMA) return false;
      this.skipWhitespace();
    }
  }

  /** Move past the string that starts at `pos` (its quote), checking its escapes; false when it is not valid JSON. */
  private skipString(): boolean {
    const bytes = this.bytes;
    const end = this.end;
    let pos = this.pos + 1;
    let escape = false;
    let nonAscii = false;
    while (pos < end) {
      const byte = bytes[pos] as number;
      if (byte === QUOTE) {
        this.pos = pos + 1;
        this.sawEscape = escape;
        this.sawNonAscii = nonAscii;
        return true;
      }
      if (byte < 0x20) return false;
      if (byte >= 0x80) nonAscii = true;
      else if (byte === BACKSLASH) {
        escape = true;
        const next = bytes[pos + 1];
        if (next === 0x75) {
          // \uXXXX
          for (let offset = 2; offset < 6; offset += 1) if (!isHexDigit(bytes[pos + offset] ?? 0)) return false;
          pos += 6;
          continue;
        }
        // \" \\ \/ \b \f \n \r \t
        if (next !== QUOTE && next !== BACKSLASH && next !== 0x2f && next !== 0x62 && next !== 0x66 && next !== 0x6e && next !== 0x72 && next !== 0x74) return false;
        pos += 2;
        continue;
      }
      pos += 1;
    }
    return false;
  }

  private readString(): unknown {
    const start = this.pos;
    if (!this.skipString()) return FALLBACK;
    const bytes = this.bytes;
    // Plain ASCII (nearly every value): latin1 is the same text, decoded faster than UTF-8.
    if (!this.sawEscape && !this.sawNonAscii) return bytes.toString('latin1', start + 1, this.pos - 1);
    // Escapes or other scripts: JSON.parse decodes exactly that string token, as it would inside the line.
    // The token is cut at its quotes, which no UTF-8 sequence contains, so decoding it alone gives the
    // same text as decoding the whole line.
    return JSON.parse(bytes.toString('utf8', start, this.pos)) as string;
  }

  private skipNumber(): boolean {
    const bytes = this.bytes;
    const end = this.end;
    let pos = this.pos;
    if (bytes[pos] === MINUS) pos += 1;
    if (pos >= end) return false;
    if (bytes[pos] === DIGIT_0) pos += 1;
    else if (isDigit(bytes[pos] as number)) while (pos < end && isDigit(bytes[pos] as number)) pos += 1;
    else return false;
    if (pos < end && bytes[pos] === DOT) {
      pos += 1;
      if (pos >= end || !isDigit(bytes[pos] as number)) return false;
      while (pos < end && isDigit(bytes[pos] as number)) pos += 1;
    }
    if (pos < end && (bytes[pos] === 0x65 || bytes[pos] === 0x45)) {
      pos += 1;
      if (pos < end && (bytes[pos] === PLUS || bytes[pos] === MINUS)) pos += 1;
      if (pos >= end || !isDigit(bytes[pos] as number)) return false;
      while (pos < end && isDigit(bytes[pos] as number)) pos += 1;
    }
    this.pos = pos;
    return true;
  }

  private readNumber(): unknown {
    const start = this.pos;
    if (!this.skipNumber()) return FALLBACK;
    // Number() and JSON.parse both round the decimal text to the nearest double.
    return Number(this.bytes.toString('latin1', start, this.pos));
  }

  private readLiteral(): unknown {
    const pos = this.pos;
    if (this.matchWord(pos, TRUE)) {
      this.pos = pos + 4;
      return true;
    }
    if (this.matchWord(pos, FALSE)) {
      this.pos = pos + 5;
      return false;
    }
    if (this.matchWord(pos, NULL)) {
      this.pos = pos + 4;
      return null;
    }
    return FALLBACK;
  }

  private matchWord(pos: number, word: Uint8Array): boolean {
    if (pos + word.length > this.end) return false;
    for (let offset = 0; offset < word.length; offset += 1) if (this.bytes[pos + offset] !== word[offset]) return false;
    return true;
  }
}

const EMPTY = Buffer.alloc(0);
const TRUE = new Uint8Array(Buffer.from('true'));
const FALSE = new Uint8Array(Buffer.from('false'));
const NULL = new Uint8Array(Buffer.from('null'));
