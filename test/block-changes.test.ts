import { describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyBlockChanges, formatBlockChange, parseBlockChange, type BlockChange } from '../src/blocks/block-change.js';
import { formatBlockState } from '../src/blocks/block-state.js';
import { changesDirectory, FOLD_CHANGES_FROM, foldBlockChanges, readBlockChanges, readRecordedBlocks, writeBlockChange } from '../src/blocks/change-files.js';
import { readBlockState } from '../src/blocks/state-file.js';
import { applyFirewall } from '../src/firewall/index.js';
import { parseIpAddress } from '../src/geo/ip-address.js';
import { createFakeBinDir } from './support/fake-bin.js';

const NOW = Date.parse('2026-12-03T12:00:00.000Z');
const add = (ip: string, atMs = NOW, expireSeconds = 600, backend = 'nftables'): BlockChange => ({ action: 'add', atMs, ip, backend, expireSeconds });
const del = (ip: string, atMs = NOW): BlockChange => ({ action: 'delete', atMs, ip });

describe('a block change, as its file holds it', () => {
  it.each([add('1.0.0.1'), add('2a00:1450::1', NOW, 0, 'ipset'), del('1.0.0.1')])('reads back as written: %j', (change) => {
    const text = formatBlockChange(change);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(2);
    expect(parseBlockChange(text)).toEqual(change);
  });

  it.each([
    ['not JSON', '["add",1,'],
    ['not an array', '{"action":"add"}'],
    ['an unknown action', '["block",1,"1.0.0.1"]'],
    ['a delete with extra fields', '["delete",1,"1.0.0.1","nftables",0]'],
    ['an add without its expiry', '["add",1,"1.0.0.1","nftables"]'],
    ['a time a date cannot hold', '["add",1e300,"1.0.0.1","nftables",60]'],
    ['a negative time', '["delete",-1,"1.0.0.1"]'],
    ['a fractional expiry', '["add",1,"1.0.0.1","nftables",0.5]'],
    ['an empty address', '["delete",1,""]'],
    ['an empty backend', '["add",1,"1.0.0.1","",60]'],
  ])('%s is no change', (_title, text) => {
    expect(parseBlockChange(text)).toBeUndefined();
  });
});

describe('changes applied to the state', () => {
  const named = (name: string, change: BlockChange) => ({ name, change });
  it('in the order they were made, whatever the order they are listed in', () => {
    const state = applyBlockChanges({ blocks: [] }, [named('b', del('1.0.0.1', NOW + 1)), named('a', add('1.0.0.1', NOW)), named('c', add('1.0.0.2', NOW + 2))]);
    expect(state.blocks.map((entry) => entry.ip)).toEqual(['1.0.0.2']);
  });

  it('changes of the same millisecond in the order of their names', () => {
    const state = applyBlockChanges({ blocks: [] }, [named('2', add('1.0.0.1')), named('1', del('1.0.0.1'))]);
    expect(state.blocks).toEqual([{ ip: '1.0.0.1', backend: 'nftables', since_ms: NOW, expires_ms: NOW + 600_000 }]);
  });

  it('a second add keeps the first start and end, as the firewall does', () => {
    const state = applyBlockChanges({ blocks: [] }, [named('a', add('1.0.0.1', NOW)), named('b', add('1.0.0.1', NOW + 5_000, 60))]);
    expect(state.blocks).toEqual([{ ip: '1.0.0.1', backend: 'nftables', since_ms: NOW, expires_ms: NOW + 600_000 }]);
  });
});

describe('change files beside the state', () => {
  const install = () => {
    const dir = mkdtempSync(join(tmpdir(), 'gr-changes-'));
    chmodSync(dir, 0o755);
    const stateDir = join(dir, 'state');
    mkdirSync(stateDir, { mode: 0o700 });
    return join(stateDir, 'blocks.json');
  };

  it('each change is a root-only file of its own in a root-only directory, and the count of those waiting comes back', () => {
    const statePath = install();
    expect(writeBlockChange(statePath, add('1.0.0.1'))).toBe(1);
    expect(writeBlockChange(statePath, add('1.0.0.2'))).toBe(2);
    const dir = changesDirectory(statePath);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const names = readdirSync(dir);
    expect(names).toHaveLength(2);
    for (const name of names) {
      expect(name).toMatch(/^\d{15}-\d+-[0-9a-f]+\.change$/);
      expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    }
  });

  it('readers see the state with the waiting changes; a fold writes them into the state and removes their files', () => {
    const statePath = install();
    writeFileSync(statePath, formatBlockState({ blocks: [{ ip: '1.0.0.9', backend: 'nftables', since_ms: NOW - 1000, expires_ms: NOW + 60_000 }] }), { mode: 0o600 });
    writeBlockChange(statePath, add('1.0.0.1'));
    writeBlockChange(statePath, del('1.0.0.9', NOW + 1));
    const expected = [{ ip: '1.0.0.1', backend: 'nftables', since_ms: NOW, expires_ms: NOW + 600_000 }];
    expect(readRecordedBlocks(statePath, NOW + 2).blocks).toEqual(expected);
    // Not folded by a read.
    expect(readBlockState(statePath).blocks.map((entry) => entry.ip)).toEqual(['1.0.0.9']);

    expect(foldBlockChanges(statePath, NOW + 2).blocks).toEqual(expected);
    expect(readBlockState(statePath).blocks).toEqual(expected);
    expect(readdirSync(changesDirectory(statePath))).toEqual([]);
    expect(readRecordedBlocks(statePath, NOW + 2).blocks).toEqual(expected);
  });

  it('a fold removes the temporary file of an alert killed before its rename, once a minute old, and leaves a fresh one', () => {
    const statePath = install();
    writeBlockChange(statePath, add('1.0.0.1'));
    const dir = changesDirectory(statePath);
    const old = join(dir, `${'0'.repeat(15)}-1-dead.change.1.beef.tmp`);
    const fresh = join(dir, `${'0'.repeat(15)}-2-dead.change.2.beef.tmp`);
    writeFileSync(old, formatBlockChange(add('6.6.6.6')), { mode: 0o600 });
    writeFileSync(fresh, formatBlockChange(add('6.6.6.7')), { mode: 0o600 });
    utimesSync(old, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    expect(readRecordedBlocks(statePath, NOW).blocks.map((entry) => entry.ip)).toEqual(['1.0.0.1']);
    foldBlockChanges(statePath, Date.now());
    expect(readdirSync(dir)).toEqual([fresh.slice(dir.length + 1)]);
  });

  it('a file that is not a change is left out by readers and removed by a fold', () => {
    const statePath = install();
    writeBlockChange(statePath, add('1.0.0.1'));
    writeFileSync(join(changesDirectory(statePath), `${'0'.repeat(15)}-1-deadbeef.change`), 'torn', { mode: 0o600 });
    expect(readBlockChanges(statePath).changes.map(({ change }) => change.ip)).toEqual(['1.0.0.1']);
    foldBlockChanges(statePath, NOW);
    expect(readdirSync(changesDirectory(statePath))).toEqual([]);
    expect(readBlockState(statePath).blocks.map((entry) => entry.ip)).toEqual(['1.0.0.1']);
  });

  it('a link in the changes directory to a file others can write is refused, naming it', () => {
    const statePath = install();
    writeBlockChange(statePath, add('1.0.0.1'));
    const target = join(tmpdir(), 'gr-changes-target');
    writeFileSync(target, formatBlockChange(add('6.6.6.6')));
    chmodSync(target, 0o666);
    symlinkSync(target, join(changesDirectory(statePath), `${'0'.repeat(15)}-2-deadbeef.change`));
    expect(() => readRecordedBlocks(statePath, NOW)).toThrow(/gr-changes-target.*writable by/);
  });

  // Each in an installation of its own: a process remembers a directory's verdict once judged.
  it('a changes directory others can write is refused, for writing and for reading', () => {
    const forWriting = install();
    mkdirSync(changesDirectory(forWriting), { mode: 0o700 });
    chmodSync(changesDirectory(forWriting), 0o777);
    expect(() => writeBlockChange(forWriting, add('1.0.0.2'))).toThrow(/not writing .*blocks\.changes/);
    const forReading = install();
    mkdirSync(changesDirectory(forReading), { mode: 0o700 });
    chmodSync(changesDirectory(forReading), 0o777);
    expect(() => readRecordedBlocks(forReading, NOW)).toThrow(/not reading .*blocks\.changes/);
  });
});

describe('alerts fold the changes once enough wait', () => {
  it(`the alert that finds ${FOLD_CHANGES_FROM} changes waiting folds them into the state, if the lock is free`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gr-fold-'));
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'state'), { mode: 0o700 });
    const statePath = join(dir, 'state', 'blocks.json');
    const fake = createFakeBinDir({ nft: [] });
    const lockDir = mkdtempSync(join(tmpdir(), 'gr-fold-lock-'));
    const block = (index: number) => {
      const ip = `1.0.${index >> 8}.${index & 255}`;
      return applyFirewall({ action: 'add', address: parseIpAddress(ip), decision: 'block', expireSeconds: 600, ossecArgs: [] }, { backend: 'nftables', expire_seconds: 600, dry_run: false }, { env: {}, binDirs: [fake.dir], lockDir, statePath });
    };
    for (let index = 1; index < FOLD_CHANGES_FROM; index += 1) expect((await block(index)).fields.result).toBe('blocked');
    expect(readdirSync(changesDirectory(statePath))).toHaveLength(FOLD_CHANGES_FROM - 1);
    expect(readBlockState(statePath).blocks).toEqual([]);

    // The lock held by another process: the alert does not wait for it, and folds nothing.
    writeFileSync(join(lockDir, 'firewall.lock'), `${process.pid} held-by-test\n`);
    expect((await block(FOLD_CHANGES_FROM)).fields.result).toBe('blocked');
    expect(readdirSync(changesDirectory(statePath))).toHaveLength(FOLD_CHANGES_FROM);

    unlinkSync(join(lockDir, 'firewall.lock'));
    expect((await block(FOLD_CHANGES_FROM + 1)).fields.result).toBe('blocked');
    expect(readdirSync(changesDirectory(statePath))).toEqual([]);
    expect(readBlockState(statePath).blocks).toHaveLength(FOLD_CHANGES_FROM + 1);
  });
});
