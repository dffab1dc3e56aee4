import { describe, expect, it } from 'vitest';
import { parseReportEvent, parseReportLine, REPORT_FIELDS } from '../src/report/parse-record.js';
import { FALLBACK, RecordScanner } from '../src/report/scan-record.js';
import { makeGeoRecords } from './support/make-geo-log.js';
import { createRandom } from './support/random.js';

// The report parses lines with a pruned scanner (scan-record.ts) and falls back to JSON.parse when
// unsure; both must give the same ReportEvent (or the same "malformed") for every line.

/** The line as the report reads it: inside a bigger buffer, between other bytes. */
function fastPath(line: Buffer): ReturnType<typeof parseReportLine> {
  const framed = Buffer.concat([Buffer.from('{"x":1}\n'), line, Buffer.from('\n{"y"')]);
  return parseReportLine(framed, 8, 8 + line.length);
}

function expectSamePaths(line: Buffer): void {
  const expected = parseReportEvent(line.toString('utf8'));
  expect(fastPath(line), line.toString('utf8')).toStrictEqual(expected);
}

const records = makeGeoRecords({ seed: 11, count: 3000, start: new Date('2026-11-20T00:00:00Z'), end: new Date('2026-11-27T00:00:00Z') });
const lines = records.map((record) => Buffer.from(JSON.stringify(record)));

const BASE = '"@timestamp":"2026-11-20T10:00:00.000Z","event":{"action":"add","outcome":"success"}';
const SOURCE = '"source":{"ip":"1.2.3.4","geo":{"country_iso_code":"ru","country_name":"Russia","location":{"lat":55.75,"lon":37.62}},"as":{"number":12389,"organization":{"name":"Rostelecom"}}}';
const OURS = '"geo_response":{"decision":{"action":"block","reason":"RU is in deny list"},"address_class":"public"}';
const ODD_LINES: Array<[string, string | Buffer]> = [
  ['our shape', `{${BASE},${SOURCE},${OURS}}`],
  ['whitespace everywhere', `  { ${BASE.replace(/,/g, ' ,\t').replace(/:/g, ' : ')} , ${SOURCE.replace(/,/g, ', ')} ,${OURS} }\r`],
  ['escaped value', `{${BASE},"source":{"ip":"1.2.3.\\u0034"},${OURS}}`],
  ['escaped wanted key', `{${BASE},"sourc\\u0065":{"ip":"1.2.3.4"},${OURS}}`],
  ['escaped unwanted key', `{${BASE},"x\\"y":{"ip":"1.2.3.4"},${SOURCE},${OURS}}`],
  ['source twice, the second without geo', `{${BASE},${SOURCE},"source":{"ip":"5.6.7.8"},${OURS}}`],
  ['geo_response twice, the second not an object', `{${BASE},${SOURCE},${OURS},"geo_response":[1]}`],
  ['source null', `{${BASE},"source":null,${OURS}}`],
  ['source an array', `{${BASE},"source":["1.2.3.4"],${OURS}}`],
  ['ip a number', `{${BASE},"source":{"ip":1234},${OURS}}`],
  ['ip an object', `{${BASE},"source":{"ip":{"v":"1.2.3.4"}},${OURS}}`],
  ['country an object, lat a string', `{${BASE},"source":{"ip":"1.2.3.4","geo":{"country_iso_code":{},"location":{"lat":"55","lon":37}}},${OURS}}`],
  ['numbers at their edges', `{${BASE},"source":{"ip":"1.2.3.4","geo":{"location":{"lat":-0,"lon":1e400}},"as":{"number":1.5E+3}},"rule":{"id":5710.0},${OURS}}`],
  ['long digits', `{${BASE},"source":{"ip":"1.2.3.4","geo":{"location":{"lat":35.12345678901234567890,"lon":-0.000000000000000000001}}},${OURS}}`],
  ['rule id number', `{${BASE},"rule":{"id":5710,"description":"x"},${OURS}}`],
  ['rule id boolean', `{${BASE},"rule":{"id":true},${OURS}}`],
  ['unicode in wanted strings', `{${BASE},"source":{"ip":"1.2.3.4","as":{"organization":{"name":"Ростелеком ✓ 𝄞"}}},"observer":{"name":"wéb1"},${OURS}}`],
  ['escapes in wanted strings', `{${BASE},"rule":{"description":"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u001b\\ud83d\\ude00\\ud800"},${OURS}}`],
  ['__proto__ keys', `{"__proto__":{"x":1},${BASE},"source":{"__proto__":null,"ip":"1.2.3.4"},${OURS}}`],
  ['deep nesting in a skipped field', `{${BASE},"extra":${'['.repeat(200)}${']'.repeat(200)},${OURS}}`],
  ['deep nesting, unbalanced', `{${BASE},"extra":${'['.repeat(200)}${']'.repeat(199)},${OURS}}`],
  ['every literal', `{${BASE},"a":true,"b":false,"c":null,"d":[true,false,null,-1.5e-3,"s",{}],${OURS}}`],
  ['empty objects', `{${BASE},"source":{"ip":"1.2.3.4","geo":{},"as":{}},"geo_response":{}}`],
  ['agent, not observer', `{${BASE},"agent":{"name":"old"},${OURS}}`],
  ['observer name empty, agent name set', `{${BASE},"observer":{"name":""},"agent":{"name":"old"},${OURS}}`],
  ['login', `{${BASE},"geo_response":{"login":{"user":"root","finding":"new_country","message":"m"}}}`],
  ['timestamp variants', `{"@timestamp":"2026-11-20T10:00:00Z","event":{},"geo_response":{}}`],
  ['timestamp not a date', `{"@timestamp":"yesterday","event":{},"geo_response":{}}`],
  ['no event', `{"@timestamp":"2026-11-20T10:00:00Z","geo_response":{}}`],
  ['top-level array', '[1,2,3]'],
  ['top-level string', '"text"'],
  ['top-level number', '42'],
  ['empty object', '{}'],
  ['not json', 'not json at all'],
  ['truncated', `{${BASE},${SOURCE}`],
  ['trailing comma', `{${BASE},${OURS},}`],
  ['trailing garbage', `{${BASE},${OURS}}x`],
  ['two values', `{${BASE},${OURS}} {}`],
  ['raw control character in a skipped string', `{${BASE},"x":"a\u0001b",${OURS}}`],
  ['raw tab in a wanted string', `{${BASE},"rule":{"description":"a\tb"},${OURS}}`],
  ['bad escape', `{${BASE},"x":"\\x41",${OURS}}`],
  ['short unicode escape', `{${BASE},"x":"\\u12",${OURS}}`],
  ['leading zero', `{${BASE},"x":01,${OURS}}`],
  ['bare dot number', `{${BASE},"x":1.,${OURS}}`],
  ['plus number', `{${BASE},"x":+1,${OURS}}`],
  ['lone minus', `{${BASE},"x":-,${OURS}}`],
  ['exponent without digits', `{${BASE},"x":1e,${OURS}}`],
  ['misspelt literal', `{${BASE},"x":tru,${OURS}}`],
  ['single quotes', `{${BASE},'x':1,${OURS}}`],
  ['missing colon', `{${BASE},"x" 1,${OURS}}`],
  ['byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`{${BASE},${OURS}}`)])],
  ['invalid UTF-8 in a wanted string', Buffer.concat([Buffer.from(`{${BASE},"observer":{"name":"a`), Buffer.from([0xe2, 0x82]), Buffer.from(`"},${OURS}}`)])],
  ['invalid UTF-8 in a skipped string', Buffer.concat([Buffer.from(`{${BASE},"x":"`), Buffer.from([0xff, 0xfe]), Buffer.from(`",${OURS}}`)])],
  ['non-ASCII outside strings', `{${BASE},"x":1\u00a0,${OURS}}`],
];

describe('the pruned scanner gives what JSON.parse gives', () => {
  it('takes the fast path on the records geo-response writes', () => {
    const scanner = new RecordScanner(REPORT_FIELDS);
    const fast = lines.filter((line) => scanner.scan(line, 0, line.length) !== FALLBACK).length;
    // Every generated record is plain JSON.stringify output; the scanner must not give up on them.
    expect(fast).toBe(lines.length);
  });

  it('on 3,000 generated records', () => {
    for (const line of lines) expectSamePaths(line);
  });

  it.each(ODD_LINES)('on an odd line: %s', (_title, line) => {
    expectSamePaths(typeof line === 'string' ? Buffer.from(line) : line);
  });

  it('on 20,000 generated records with random bytes changed', () => {
    const random = createRandom(12);
    // Mostly bytes that mean something to JSON, so mutations hit the grammar rather than just the text.
    const alphabet = Buffer.from('{}[]":,\\ u0123456789.-+eEtrufalsn\t\r\x01\x7f\xc3\xa9\xff');
    let malformed = 0;
    for (let index = 0; index < 20_000; index += 1) {
      const line = Buffer.from(lines[index % lines.length] as Buffer);
      const position = Math.floor(random() * line.length);
      const byte = alphabet[Math.floor(random() * alphabet.length)] as number;
      const roll = random();
      const mutated =
        roll < 0.4
          ? Buffer.concat([line.subarray(0, position), Buffer.from([byte]), line.subarray(position)])
          : roll < 0.7
            ? Buffer.concat([line.subarray(0, position), line.subarray(position + 1)])
            : (line.fill(byte, position, position + 1), line);
      if (parseReportEvent(mutated.toString('utf8')) === undefined) malformed += 1;
      expectSamePaths(mutated);
    }
    // The mutations must have broken a good share of lines, or they tested nothing hard.
    expect(malformed).toBeGreaterThan(2_000);
  });
});
