import type { PlannedCommand, PlanStep } from './firewall-types.js';

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One command as a shell-quoted line, for reading only: commands always run as argv arrays. */
export function quoteCommand(command: PlannedCommand): string {
  const line = [command.program, ...command.args].map(quoteWord).join(' ');
  // A batch can hold 100,000 lines: the record says how many, not what they are.
  return command.input === undefined ? line : `${line} <<< (${countLines(command.input)} lines)`;
}

function countLines(input: string | Uint8Array): number {
  let count = 0;
  if (typeof input === 'string') for (let at = input.indexOf('\n'); at !== -1; at = input.indexOf('\n', at + 1)) count += 1;
  else for (let at = input.indexOf(NEWLINE_BYTE); at !== -1; at = input.indexOf(NEWLINE_BYTE, at + 1)) count += 1;
  return count;
}

const NEWLINE_BYTE = 0x0a;

/** The plan as the shell lines a person would type: a check-then-change step reads `probe || change` or `probe && change`. */
export function renderPlan(steps: readonly PlanStep[], display: (command: PlannedCommand) => PlannedCommand = (c) => c): string[] {
  return steps.map((step) => {
    if (step.kind === 'verify') return quoteCommand(display(step.probe.command));
    const line = quoteCommand(display(step.command));
    if (step.kind === 'run') return line;
    const operator = step.runWhen === 'absent' ? '||' : '&&';
    return `${quoteCommand(display(step.probe.command))} ${operator} ${line}`;
  });
}

function quoteWord(word: string): string {
  if (word.length > 0 && SAFE_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
