/**
 * What every attack test file sets up: one attacker account for the file (root only), and the
 * installations and directories each test makes, removed after it. A file's own clean-ups
 * (mounts, namespaces) registered after this run first: vitest runs after-hooks in reverse.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type AttackInstall, type Layout, installForAttack, removeAttackInstall, removeDir } from './attack-install.js';
import { createAttacker, removeAttacker } from './attacker.js';
import { type Account, IS_ROOT, ensureBuilt } from './fake-install-tree.js';

export interface AttackScene {
  /** The attacker: the installation's daemon user and group, uniquely named (made only as root). */
  attacker(): Account;
  /** A fresh installation of the layout for this test, removed after it. */
  install(layout: Layout): AttackInstall;
  /** A directory removed after this test; returns it. */
  keep(dir: string): string;
}

/** Registers the hooks; call once at the top of a test file. */
export function useAttackScene(): AttackScene {
  let attacker: Account | undefined;
  let installs: AttackInstall[] = [];
  let dirs: string[] = [];
  beforeAll(() => {
    ensureBuilt();
    if (IS_ROOT) attacker = createAttacker();
  });
  afterEach(() => {
    for (const install of installs) removeAttackInstall(install);
    for (const dir of dirs) removeDir(dir);
    installs = [];
    dirs = [];
  });
  afterAll(() => removeAttacker(attacker));
  const scene: AttackScene = {
    attacker: () => {
      if (attacker === undefined) throw new Error('no attacker account: the attack tests need root');
      return attacker;
    },
    install: (layout) => {
      const made = installForAttack(layout, scene.attacker());
      installs.push(made);
      return made;
    },
    keep: (dir) => {
      dirs.push(dir);
      return dir;
    },
  };
  return scene;
}
