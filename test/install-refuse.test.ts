/**
 * install.sh refuses, with a message naming what is missing, and changes
 * nothing (the tree's digest of paths, modes, owners and contents is the same
 * before and after). The trees belong to uid/gid 1 (daemon on Debian, bin
 * elsewhere), which exists on every Linux, so no account is created here.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeTree, createFakeTree, hashTree, removeFakeTree, runInstall, INSTALL_SH, IS_ROOT, REPO_ROOT } from './support/fake-install-tree.js';

const SYSTEM_ACCOUNT = { uid: 1, gid: 1 };

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const undo of cleanup) undo();
  cleanup = [];
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'geo-install-refuse-'));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function ossecTree(): FakeTree {
  const tree = createFakeTree({ product: 'ossec', account: SYSTEM_ACCOUNT });
  cleanup.push(() => removeFakeTree(tree));
  return tree;
}

/** A directory holding a `node` that claims to be v16.20.0, as an old distribution package would. */
function oldNodeDir(): string {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'node'), '#!/bin/sh\necho v16.20.0\n', { mode: 0o755 });
  return dir;
}

interface RefuseCase {
  title: string;
  /** Returns the install.sh arguments and environment, and the directory to prove untouched. */
  setup: () => { args: string[]; env?: NodeJS.ProcessEnv; watched: string; script?: string };
  message: RegExp;
}

const CASES: RefuseCase[] = [
  {
    title: 'no Node.js anywhere it looks',
    setup: () => {
      const tree = ossecTree();
      return { args: ['--prefix', tree.home], env: { GEO_RESPONSE_NODE_PATH: tempDir() }, watched: tree.root };
    },
    message: /no Node\.js found \(looked for node and nodejs in \S+\); geo-response needs Node\.js >= 18\.19/,
  },
  {
    title: 'only a Node.js older than 18.19 found',
    setup: () => {
      const tree = ossecTree();
      return { args: ['--prefix', tree.home], env: { GEO_RESPONSE_NODE_PATH: oldNodeDir() }, watched: tree.root };
    },
    message: /no Node\.js >= 18\.19 found: \S+\/node is v16\.20\.0/,
  },
  {
    title: '--node naming a Node.js older than 18.19',
    setup: () => {
      const tree = ossecTree();
      return { args: ['--prefix', tree.home, '--node', path.join(oldNodeDir(), 'node')], watched: tree.root };
    },
    message: /--node \S+\/node is Node\.js v16\.20\.0; geo-response needs Node\.js >= 18\.19/,
  },
  {
    title: '--node naming no file',
    setup: () => {
      const tree = ossecTree();
      return { args: ['--prefix', tree.home, '--node', '/nonexistent/bin/node'], watched: tree.root };
    },
    message: /--node \/nonexistent\/bin\/node: no executable file there/,
  },
  {
    title: '--node at a path too long for a #! line (Linux reads 127 bytes)',
    setup: () => {
      const tree = ossecTree();
      const deep = path.join(tempDir(), 'n'.repeat(60), 'o'.repeat(60), 'bin');
      fs.mkdirSync(deep, { recursive: true });
      fs.symlinkSync(process.execPath, path.join(deep, 'node'));
      return { args: ['--prefix', tree.home, '--node', path.join(deep, 'node')], watched: tree.root };
    },
    message: /is too long for a #! line \(\d+ bytes, Linux reads 127\); link it from a short path/,
  },
  {
    title: '--node at a path with a space (a #! line ends its interpreter there)',
    setup: () => {
      const tree = ossecTree();
      const spaced = path.join(tempDir(), 'node js');
      fs.mkdirSync(spaced);
      fs.symlinkSync(process.execPath, path.join(spaced, 'node'));
      return { args: ['--prefix', tree.home, '--node', path.join(spaced, 'node')], watched: tree.root };
    },
    message: /contains white space, which a #! line cannot hold/,
  },
  {
    title: 'a prefix that is an empty directory',
    setup: () => {
      const dir = tempDir();
      return { args: ['--prefix', dir], watched: dir };
    },
    message: /is not an OSSEC\/Wazuh installation: missing etc\/ossec\.conf, active-response\/bin\/, logs\/, bin\/wazuh-control \(Wazuh\) or bin\/ossec-control \(OSSEC\)/,
  },
  {
    title: 'a prefix with ossec.conf but no control script',
    setup: () => {
      const dir = tempDir();
      for (const sub of ['etc', 'logs', 'active-response/bin']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
      fs.writeFileSync(path.join(dir, 'etc', 'ossec.conf'), '<ossec_config>\n</ossec_config>\n');
      return { args: ['--prefix', dir, '--apply'], watched: dir };
    },
    message: /is not an OSSEC\/Wazuh installation: missing bin\/wazuh-control \(Wazuh\) or bin\/ossec-control \(OSSEC\)$/m,
  },
  {
    title: 'a prefix that does not exist',
    setup: () => {
      const dir = tempDir();
      return { args: ['--prefix', path.join(dir, 'ossec')], watched: dir };
    },
    message: /\/ossec does not exist: no OSSEC\/Wazuh installation there \(give its directory with --prefix DIR\)/,
  },
  {
    title: '--uninstall on a prefix that is not an installation',
    setup: () => {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 'keep-me'), 'x');
      return { args: ['--prefix', dir, '--uninstall', '--purge'], watched: dir };
    },
    message: /is not an OSSEC\/Wazuh installation: missing etc\/ossec\.conf/,
  },
  {
    title: '--group naming a group that does not exist',
    setup: () => {
      const tree = ossecTree();
      return { args: ['--prefix', tree.home, '--group', 'geo-response-no-such-group'], watched: tree.root };
    },
    message: /group geo-response-no-such-group does not exist/,
  },
  {
    title: 'an unpacked release whose dist/ lacks the parts file of its build, with nothing to build from',
    setup: () => {
      const tree = ossecTree();
      const release = tempDir();
      fs.mkdirSync(path.join(release, 'dist'));
      fs.copyFileSync(INSTALL_SH, path.join(release, 'install.sh'));
      for (const file of ['geo-response.js', 'dbip-country-lite.mmdb']) fs.copyFileSync(path.join(REPO_ROOT, 'dist', file), path.join(release, 'dist', file));
      return { args: ['--prefix', tree.home], watched: tree.root, script: path.join(release, 'install.sh') };
    },
    message: /\/dist lacks the parts file of its build \(geo-response\.[0-9a-f]{16}\.parts\), and \S+ has no package\.json to build them from/,
  },
];

describe.skipIf(!IS_ROOT)('install.sh refuses and changes nothing (needs root: chown)', () => {
  it.each(CASES)('$title', ({ setup, message }) => {
    const { args, env, watched, script } = setup();
    const before = hashTree(watched);
    const result = runInstall(args, env, script);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^install\.sh: error: /);
    expect(result.stderr).toMatch(message);
    expect(hashTree(watched)).toBe(before);
  });

  it.each([
    { title: 'an unknown option', args: ['--frobnicate'], message: /unknown argument: --frobnicate/ },
    { title: '--purge without --uninstall', args: ['--purge'], message: /--purge only goes with --uninstall/ },
    { title: '--prefix without a value', args: ['--prefix'], message: /--prefix needs a value/ },
  ])('a usage error exits 2: $title', ({ args, message }) => {
    const result = runInstall(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
