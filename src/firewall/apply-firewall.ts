import { toGeoResponseError, toOneLine } from '../errors.js';
import type { FirewallConfig } from '../policy/config-schema.js';
import { executePlan } from './execute-plan.js';
import { createMissingBinaryError } from './firewall-error.js';
import { acquireFirewallLock, defaultLockDir } from './firewall-lock.js';
import { enterFirewallShared } from './firewall-shared.js';
import type { ApplyFirewallOptions, FirewallFields, FirewallOutcome, FirewallPlan, FirewallRequest, PlannedCommand, PlanStep, Probe } from './firewall-types.js';
import { DEFAULT_BIN_DIRS, findBinary } from './find-binary.js';
import { renderPlan } from './quote-command.js';
import { createSyncRunner } from './sync-command.js';
import { selectBackend } from './select-backend.js';
import { FOLD_CHANGES_FROM, foldBlockChanges, writeBlockChange } from '../blocks/change-files.js';

/** Plan and apply the firewall change for one request; never throws for command failures — they come back in `error` with the fields filled (result 'failed'). */
export async function applyFirewall(request: FirewallRequest, config: FirewallConfig, options: ApplyFirewallOptions): Promise<FirewallOutcome> {
  const backend = selectBackend(config);
  const base: FirewallFields = { backend: config.backend, result: 'none', ...(config.dry_run ? { dry_run: true } : {}) };
  // An add the policy did not decide to block changes nothing; a delete always removes (a leaked block is the worst outcome).
  if (backend === undefined || (request.action === 'add' && request.decision !== 'block')) return { fields: base };

  const plan = backend.plan({ action: request.action, address: request.address, expireSeconds: request.expireSeconds, ossecArgs: request.ossecArgs });
  const fields: FirewallFields = { ...base, ...(plan.expireSeconds === undefined ? {} : { expire_seconds: plan.expireSeconds }) };
  const binDirs = options.binDirs ?? DEFAULT_BIN_DIRS;

  if (config.dry_run) {
    const display = (command: PlannedCommand) => ({ ...command, program: findBinary(command.program, binDirs) ?? command.program });
    // A plan with a set-up shows it too, as what the first block after a boot or a flush runs instead.
    const setUp = plan.setUp ? renderPlan(plan.setUp.steps, display).map((line) => `if the set-up is missing: ${line}`) : [];
    return { fields: { ...fields, result: 'planned', commands: [...renderPlan(plan.steps, display), ...setUp] } };
  }

  // Every program the plan may run is found before the first one runs: a missing binary changes nothing.
  const resolved = resolvePlan(plan, binDirs);
  if (resolved.missing.length > 0) {
    const error = createMissingBinaryError(resolved.missing, binDirs, config.backend);
    return { fields: { ...fields, result: 'failed', error: `${error.message}; nothing was changed` }, error };
  }

  let release: (() => void) | undefined;
  let waitingChanges = 0;
  try {
    // A backend that checks then changes is serialised host-wide; one whose every run is atomic
    // (nftables, ipset) only stands aside for a restore (firewall-shared.ts).
    release = plan.needsLock ? await acquireFirewallLock(lockOptions(options, options.lockTimeoutMs)) : await enterFirewallShared(lockOptions(options, options.lockTimeoutMs));
    const runnerOptions = { env: options.env, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) };
    // The lock directory is root's alone, and made by the lock or the shared entry just above.
    const run = options.createRunner ? options.createRunner(runnerOptions) : createSyncRunner({ ...runnerOptions, scratchDir: options.lockDir ?? defaultLockDir() });
    let execution = await executePlan(resolved.steps, run);
    if (execution.ok === 'set-up-missing' && resolved.setUp) {
      // The first block after a boot or a flush: the whole set-up, checked then made, under the lock.
      release();
      release = undefined;
      release = await acquireFirewallLock(lockOptions(options, options.lockTimeoutMs));
      const first = execution.commands;
      execution = await executePlan(resolved.setUp, run);
      execution = { ...execution, commands: [...first, ...execution.commands] };
    }
    if (execution.ok === 'set-up-missing') throw new Error('the firewall plan found its set-up missing and has no set-up plan');
    if (execution.ok) {
      let stateError: string | undefined;
      if (backend.inventory && options.statePath) {
        const recorded = recordChange(options.statePath, request, config.backend, options.now?.() ?? new Date());
        stateError = recorded.error;
        waitingChanges = recorded.waiting;
      }
      return { fields: { ...fields, result: execution.result, commands: execution.commands, ...(stateError ? { state_error: stateError } : {}) } };
    }
    return {
      fields: { ...fields, result: 'failed', commands: execution.commands, error: toOneLine(`${execution.error.message}; ${execution.stateLeft}`) },
      error: execution.error,
    };
  } catch (thrown) {
    // The lock (or something unforeseen) failed before any command ran.
    const error = toGeoResponseError(thrown);
    return { fields: { ...fields, result: 'failed', error: toOneLine(`${error.message}; nothing was changed`) }, error };
  } finally {
    release?.();
    if (waitingChanges >= FOLD_CHANGES_FROM && options.statePath) await foldIfLockFree(options.statePath, options);
  }
}

function lockOptions(options: ApplyFirewallOptions, waitTimeoutMs: number | undefined) {
  return { ...(options.lockDir ? { lockDir: options.lockDir } : {}), ...(waitTimeoutMs === undefined ? {} : { waitTimeoutMs }) };
}

// The alert's change is its own file (blocks/change-files.ts): no lock orders it with other alerts.
function recordChange(statePath: string, request: FirewallRequest, backend: string, now: Date): { error?: string; waiting: number } {
  try {
    const ip = request.address.text;
    const atMs = now.getTime();
    const waiting = writeBlockChange(statePath, request.action === 'add' ? { action: 'add', atMs, ip, backend, expireSeconds: request.expireSeconds } : { action: 'delete', atMs, ip });
    return { waiting };
  } catch (error) {
    return { error: toOneLine(toGeoResponseError(error).message), waiting: 0 };
  }
}

// Enough changes wait: fold them into the state, if no one else holds the lock (then the next
// alert will, or restore). Never waits: the block is in place, and this alert's record is due.
async function foldIfLockFree(statePath: string, options: ApplyFirewallOptions): Promise<void> {
  let release: (() => void) | undefined;
  try {
    release = await acquireFirewallLock(lockOptions(options, 0));
    foldBlockChanges(statePath, (options.now?.() ?? new Date()).getTime());
  } catch {
    // Busy, or the state cannot be written now: the changes stay, and are folded later.
  } finally {
    release?.();
  }
}

/** The plan with every program resolved to its absolute path (its set-up plan too), and the programs that are not installed. */
export function resolvePlan(plan: FirewallPlan, binDirs: readonly string[]): { steps: PlanStep[]; setUp?: PlanStep[]; missing: string[] } {
  const missing = new Set<string>();
  const resolve = (command: PlannedCommand): PlannedCommand => {
    const program = findBinary(command.program, binDirs);
    if (program === undefined) missing.add(command.program);
    return { ...command, program: program ?? command.program };
  };
  const resolveProbe = (probe: Probe): Probe => ({ ...probe, command: resolve(probe.command) });
  const resolveSteps = (steps: readonly PlanStep[]) =>
    steps.map((step): PlanStep => {
      if (step.kind === 'verify') return { ...step, probe: resolveProbe(step.probe) };
      const common = { command: resolve(step.command), ...(step.undo ? { undo: resolve(step.undo) } : {}) };
      if (step.kind === 'ensure') return { ...step, ...common, probe: resolveProbe(step.probe) };
      const confirm = step.confirmUnchanged;
      return confirm ? { ...step, ...common, confirmUnchanged: { ...confirm, probe: resolveProbe(confirm.probe) } } : { ...step, ...common };
    });
  const steps = resolveSteps(plan.steps);
  const setUp = plan.setUp ? resolveSteps(plan.setUp.steps) : undefined;
  return { steps, ...(setUp ? { setUp } : {}), missing: [...missing] };
}
