import { toGeoResponseError, toOneLine } from '../errors.js';
import type { FirewallConfig } from '../policy/config-schema.js';
import { executePlan } from './execute-plan.js';
import { createMissingBinaryError } from './firewall-error.js';
import { acquireFirewallLock } from './firewall-lock.js';
import type { ApplyFirewallOptions, FirewallFields, FirewallOutcome, FirewallPlan, FirewallRequest, PlannedCommand, PlanStep } from './firewall-types.js';
import { DEFAULT_BIN_DIRS, findBinary } from './find-binary.js';
import { renderPlan } from './quote-command.js';
import { createExecaRunner } from './run-command.js';
import { selectBackend } from './select-backend.js';
import { recordAdd, recordDelete } from '../blocks/block-state.js';
import { updateBlockState } from '../blocks/state-file.js';

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
    return { fields: { ...fields, result: 'planned', commands: renderPlan(plan.steps, display) } };
  }

  // Every program the plan may run is found before the first one runs: a missing binary changes nothing.
  const resolved = resolvePlan(plan, binDirs);
  if (resolved.missing.length > 0) {
    const error = createMissingBinaryError(resolved.missing, binDirs, config.backend);
    return { fields: { ...fields, result: 'failed', error: `${error.message}; nothing was changed` }, error };
  }

  let release: (() => void) | undefined;
  try {
    if (plan.needsLock) release = await acquireFirewallLock({ ...(options.lockDir ? { lockDir: options.lockDir } : {}), waitTimeoutMs: options.lockTimeoutMs });
    const execution = await executePlan(resolved.steps, createExecaRunner({ env: options.env, timeoutMs: options.timeoutMs }));
    if (execution.ok) {
      // Still under the lock: the state changes in the same order as the firewall did.
      const stateError = backend.inventory && options.statePath ? recordChange(options.statePath, request, config.backend, options.now?.() ?? new Date()) : undefined;
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
  }
}

// The block is in place (or gone) whatever happens to the state: a failure to record it is noted in the record, not the outcome.
function recordChange(statePath: string, request: FirewallRequest, backend: string, now: Date): string | undefined {
  try {
    const ip = request.address.text;
    updateBlockState(statePath, now.getTime(), (state) =>
      request.action === 'add' ? recordAdd(state, { ip, backend, nowMs: now.getTime(), expireSeconds: request.expireSeconds }) : recordDelete(state, ip),
    );
    return undefined;
  } catch (error) {
    return toOneLine(toGeoResponseError(error).message);
  }
}

/** The plan with every program resolved to its absolute path, and the programs that are not installed. */
export function resolvePlan(plan: FirewallPlan, binDirs: readonly string[]): { steps: PlanStep[]; missing: string[] } {
  const missing = new Set<string>();
  const resolve = (command: PlannedCommand): PlannedCommand => {
    const program = findBinary(command.program, binDirs);
    if (program === undefined) missing.add(command.program);
    return { ...command, program: program ?? command.program };
  };
  const steps = plan.steps.map((step): PlanStep => {
    const common = { command: resolve(step.command), ...(step.undo ? { undo: resolve(step.undo) } : {}) };
    return step.kind === 'ensure' ? { ...step, ...common, probe: { ...step.probe, command: resolve(step.probe.command) } } : { ...step, ...common };
  });
  return { steps, missing: [...missing] };
}
