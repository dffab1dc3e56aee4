import { toOneLine } from '../errors.js';
import { FirewallCommandError } from './firewall-error.js';
import type { ChangeStep, PlannedCommand, PlanStep, Probe, VerifyStep } from './firewall-types.js';
import { quoteCommand } from './quote-command.js';
import type { CommandRunner } from './command-runner.js';

export type PlanResult = 'blocked' | 'already-blocked' | 'unblocked' | 'not-blocked';

export type PlanExecution =
  | { ok: true; result: PlanResult; commands: string[] }
  | { ok: false; error: FirewallCommandError; commands: string[]; /** What the failed plan left behind, in words. */ stateLeft: string }
  /** A verify step or a `setUpMissing` output found the set-up missing; nothing was changed. The plan's `setUp` is to run instead. */
  | { ok: 'set-up-missing'; commands: string[] };

/** Apply a plan's steps in order with the runner (commands already resolved to absolute paths); on a failure, undo what changed. */
export async function executePlan(steps: readonly PlanStep[], run: CommandRunner): Promise<PlanExecution> {
  const commands: string[] = [];
  const changed: ChangeStep[] = [];
  let result: PlanResult | undefined;
  const runLogged = async (command: PlannedCommand) => {
    commands.push(quoteCommand(command));
    return run(command);
  };

  for (let index = 0; index < steps.length; index += 1) {
    const step = steps[index] as PlanStep;
    if (step.kind === 'verify') {
      // Read-only questions that depend on nothing: asked at once, all of those in a row.
      let end = index;
      while (steps[end]?.kind === 'verify') end += 1;
      const verifies = steps.slice(index, end) as VerifyStep[];
      index = end - 1;
      const answers = await Promise.all(verifies.map((verify) => askProbe(verify.probe, runLogged)));
      const failure = answers.find((answer): answer is FirewallCommandError => answer instanceof FirewallCommandError);
      if (failure) return fail(failure, commands, await undoChanges(changed, runLogged));
      if (answers.some((answer, at) => answer !== verifies[at]?.says)) return setUpMissing(changed, commands);
      continue;
    }
    let needed = true;
    if (step.kind === 'ensure') {
      const answer = await askProbe(step.probe, runLogged);
      if (answer instanceof FirewallCommandError) return fail(answer, commands, await undoChanges(changed, runLogged));
      needed = answer === step.runWhen;
    }
    let didChange = false;
    if (needed) {
      const outcome = await runLogged(step.command);
      let unchanged = step.kind === 'run' && step.unchanged !== undefined && outcome.exitCode === 1 && step.unchanged.test(outputOf(outcome));
      if (unchanged && step.kind === 'run' && step.confirmUnchanged !== undefined) {
        unchanged = (await askProbe(step.confirmUnchanged.probe, runLogged)) === step.confirmUnchanged.says;
      }
      if (step.kind === 'run' && step.setUpMissing !== undefined && outcome.exitCode === 1 && step.setUpMissing.test(outputOf(outcome))) return setUpMissing(changed, commands);
      if (outcome.exitCode !== 0 && !unchanged) {
        return fail(new FirewallCommandError(step.command, outcome), commands, await undoChanges(changed, runLogged));
      }
      didChange = !unchanged;
    }
    if (didChange) changed.push(step);
    if (step.effect === 'block') result = didChange ? 'blocked' : 'already-blocked';
    if (step.effect === 'unblock') result = didChange ? 'unblocked' : 'not-blocked';
  }
  return { ok: true, result: result ?? 'blocked', commands };
}

/**
 * Run independent 'run' steps at once (a plan marked concurrent: restore's parallel nft batches).
 * Nothing is undone when one fails: each step is complete by itself, and what the others applied is
 * what should be in force anyway; the failure names what is left in place.
 */
export async function executeConcurrently(planned: readonly PlanStep[], run: CommandRunner): Promise<PlanExecution> {
  const steps = planned.map((step) => {
    if (step.kind === 'verify') throw new Error('a concurrent plan holds a verify step');
    return step;
  });
  const commands = steps.map((step) => quoteCommand(step.command));
  const outcomes = await Promise.all(steps.map((step) => run(step.command)));
  const failedAt = outcomes.findIndex((outcome) => outcome.exitCode !== 0);
  if (failedAt === -1) return { ok: true, result: 'blocked', commands };
  const applied = steps.filter((_, index) => outcomes[index]?.exitCode === 0).map((step) => step.summary);
  const failed = steps[failedAt] as ChangeStep;
  return fail(new FirewallCommandError(failed.command, outcomes[failedAt] as Awaited<ReturnType<CommandRunner>>), commands, applied.length > 0 ? `left in place: ${applied.join('; ')}` : 'nothing was changed');
}

async function askProbe(probe: Probe, run: CommandRunner): Promise<'present' | 'absent' | FirewallCommandError> {
  const outcome = await run(probe.command);
  if (outcome.exitCode === 0) return probe.presentIf === undefined || probe.presentIf.test(outcome.stdout) ? 'present' : 'absent';
  if (outcome.exitCode === 1 && probe.absent.test(outputOf(outcome))) return 'absent';
  // Anything else (no permission, a missing kernel module, a timeout) is not an answer: guessing could leak or duplicate a block.
  return new FirewallCommandError(probe.command, outcome);
}

// Undo in reverse order; what cannot be undone is named so the record says what is left in place.
async function undoChanges(changed: ChangeStep[], run: CommandRunner): Promise<string> {
  if (changed.length === 0) return 'nothing was changed';
  const left: string[] = [];
  let undone = 0;
  for (const step of [...changed].reverse()) {
    if (step.undo === undefined) {
      left.push(step.summary);
      continue;
    }
    const outcome = await run(step.undo);
    if (outcome.exitCode === 0) undone += 1;
    else left.push(`${step.summary} (undo failed: ${toOneLine(outcome.stderr || outcome.failure || `exit ${outcome.exitCode}`)})`);
  }
  const undoneText = undone > 0 ? `undid ${undone} change(s)` : '';
  const leftText = left.length > 0 ? `left in place: ${left.join('; ')}` : 'nothing left changed';
  return [undoneText, leftText].filter(Boolean).join('; ');
}

// Only reached before anything changed: a plan with a set-up puts its verify steps first.
function setUpMissing(changed: readonly ChangeStep[], commands: string[]): PlanExecution {
  if (changed.length > 0) throw new Error('a firewall plan found its set-up missing after it changed something');
  return { ok: 'set-up-missing', commands };
}

function fail(error: FirewallCommandError, commands: string[], stateLeft: string): PlanExecution {
  return { ok: false, error, commands, stateLeft };
}

function outputOf(outcome: { stdout: string; stderr: string }): string {
  return `${outcome.stderr}\n${outcome.stdout}`;
}
