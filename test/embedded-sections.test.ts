import { describe, expect, it } from 'vitest';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { formatSection, formatSectionIndex, readSectionIndex, readSectionText, SECTION_INDEX_WIDTH, type SectionEncoding, type SectionIndex } from '../src/loader/embedded-sections';

// The layout tsup.config.ts writes and the loader reads: built here by hand from the same pieces.
function writeExecutable(shebang: string, parts: Array<[string, SectionEncoding, Buffer, string[]?]>): string {
  const loader = 'void 0;\n';
  const index: SectionIndex = { build: '0123456789abcdef', sections: {} };
  let offset = SECTION_INDEX_WIDTH + 1 + loader.length;
  const bodies: Buffer[] = [];
  for (const [name, encoding, bytes, members] of parts) {
    const section = formatSection(name, encoding, bytes);
    offset += section.head.length;
    for (const member of members ?? [name]) index.sections[member] = [offset, section.body.length, encoding, ...(members ? [member] : [])] as SectionIndex['sections'][string];
    offset += section.body.length + section.tail.length;
    bodies.push(Buffer.from(section.head), section.body, Buffer.from(section.tail));
  }
  const path = join(mkdtempSync(join(tmpdir(), 'gr-sections-')), 'geo-response');
  writeFileSync(path, Buffer.concat([Buffer.from(`${shebang}\n${formatSectionIndex(index)}${loader}`), ...bodies]));
  return path;
}

function read(path: string, name: string): string {
  const fd = openSync(path, 'r');
  try {
    const { index, base } = readSectionIndex(fd, path);
    return readSectionText(fd, path, base, index, name);
  } finally {
    closeSync(fd);
  }
}

const PROGRAM = 'module.exports = "über";';
const WITH_COMMENT_END = 'const re = /a*/g;';
const GROUP = JSON.stringify({ report: 'exports.r = 1;', lookup: 'exports.l = 2;' });

describe('sections of the executable', () => {
  it.each(['#!/usr/bin/env node', '#!/usr/bin/node', `#!/opt/${'n'.repeat(100)}/node`])('every encoding reads back, whatever the #! line (%s)', (shebang) => {
    const path = writeExecutable(shebang, [
      ['program', 'text', Buffer.from(PROGRAM)],
      ['parser', 'base64', Buffer.from(WITH_COMMENT_END)],
      ['commands', 'brotli-base64', brotliCompressSync(Buffer.from(GROUP)), ['report', 'lookup']],
    ]);
    expect(read(path, 'program')).toBe(PROGRAM);
    expect(read(path, 'parser')).toBe(WITH_COMMENT_END);
    expect(read(path, 'report')).toBe('exports.r = 1;');
    expect(read(path, 'lookup')).toBe('exports.l = 2;');
  });

  it('source holding */ cannot be stored as text (it would end its comment)', () => {
    expect(() => formatSection('parser', 'text', Buffer.from(WITH_COMMENT_END))).toThrowError(/would end its comment early/);
  });

  it('a missing section and a truncated file are clear errors', () => {
    const path = writeExecutable('#!/usr/bin/node', [['program', 'text', Buffer.from(PROGRAM)]]);
    expect(() => read(path, 'report')).toThrowError(/has no section report: the file is incomplete; reinstall geo-response/);
    const truncated = writeExecutable('#!/usr/bin/node', [['program', 'base64', Buffer.from(PROGRAM.repeat(50))]]);
    writeFileSync(truncated, readFileSync(truncated).subarray(0, 1200));
    expect(() => read(truncated, 'program')).toThrowError(/is truncated: reinstall geo-response/);
  });

  it('a file without an index is not an executable of ours', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gr-sections-')), 'other');
    writeFileSync(path, '#!/bin/sh\necho hello\n');
    const fd = openSync(path, 'r');
    try {
      expect(() => readSectionIndex(fd, path)).toThrowError(/has no section index/);
    } finally {
      closeSync(fd);
    }
  });
});
