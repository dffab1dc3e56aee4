import { toOneLine } from '../errors.js';
import { FirewallCommandError } from './firewall-error.js';
import type { PlannedCommand, PlanStep, Probe } from './firewall-types.js';
import { quoteCommand } from './quote-command.js';
import type { CommandRunner } from './run-command.js';

export type PlanResult = 'blocked' | 'already-blocked' | 'unblocked' | 'not-blocked';

export type PlanExecution =
  | { ok: true; result: PlanResult; commands: string[] }
  | { ok: false; error: FirewallCommandError; commands: string[]; /** What the failed plan left behind, in words. */ stateLeft: string };

/** Apply a plan's steps in order with the runner (commands already resolved to absolute paths); on a failure, undo what changed. */
export async function executePlan(steps: readonly PlanStep[], run: CommandRunner): Promise<PlanExecution> {
  const commands: string[] = [];
  const changed: PlanStep[] = [];
  let result: PlanResult | undefined;
  const runLogged = async (command: PlannedCommand) => {
    commands.push(quoteCommand(command));
    return run(command);
  };

  for (const step of steps) {
    let needed = true;
    if (step.kind === 'ensure') {
      const answer = await askProbe(step.probe, runLogged);
      if (answer instanceof FirewallCommandError) return fail(answer, commands, await undoChanges(changed, runLogged));
      needed = answer === step.runWhen;
    }
    let didChange = false;
    if (needed) {
      const outcome = await runLogged(step.command);
      const unchanged = step.kind === 'run' && step.unchanged !== undefined && outcome.exitCode === 1 && step.unchanged.test(outputOf(outcome));
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
export async function executeConcurrently(steps: readonly PlanStep[], run: CommandRunner): Promise<PlanExecution> {
  const commands = steps.map((step) => quoteCommand(step.command));
  const outcomes = await Promise.all(steps.map((step) => run(step.command)));
  const failedAt = outcomes.findIndex((outcome) => outcome.exitCode !== 0);
  if (failedAt === -1) return { ok: true, result: 'blocked', commands };
  const applied = steps.filter((_, index) => outcomes[index]?.exitCode === 0).map((step) => step.summary);
  const failed = steps[failedAt] as PlanStep;
  return fail(new FirewallCommandError(failed.command, outcomes[failedAt] as Awaited<ReturnType<CommandRunner>>), commands, applied.length > 0 ? `left in place: ${applied.join('; ')}` : 'nothing was changed');
}

async function askProbe(probe: Probe, run: CommandRunner): Promise<'present' | 'absent' | FirewallCommandError> {
  const outcome = await run(probe.command);
  if (outcome.exitCode === 0) return 'present';
  if (outcome.exitCode === 1 && probe.absent.test(outputOf(outcome))) return 'absent';
  // Anything else (no permission, a missing kernel module, a timeout) is not an answer: guessing could leak or duplicate a block.
  return new FirewallCommandError(probe.command, outcome);
}

// Undo in reverse order; what cannot be undone is named so the record says what is left in place.
async function undoChanges(changed: PlanStep[], run: CommandRunner): Promise<string> {
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

function fail(error: FirewallCommandError, commands: string[], stateLeft: string): PlanExecution {
  return { ok: false, error, commands, stateLeft };
}

function outputOf(outcome: { stdout: string; stderr: string }): string {
  return `${outcome.stderr}\n${outcome.stdout}`;
}
