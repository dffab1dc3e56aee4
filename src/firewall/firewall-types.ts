import type { GeoResponseError } from '../errors.js';
import type { IpAddress } from '../geo/ip-address.js';
import type { GeoLogRecord } from '../log/record.js';

export interface FirewallRequest {
  action: 'add' | 'delete';
  address: IpAddress;
  /** For add: block only when 'block'. Absent for a delete, which always removes any block (idempotent),
   * whatever the policy says now: it may have changed since the add, and a leaked block is the worst outcome. */
  decision?: 'block' | 'allow' | 'log';
  /** firewall.expire_seconds, or the WCS stateful_timeout when the message carries one. */
  expireSeconds: number;
  /** The standard OSSEC argv (add|delete user srcip alertid ruleid location filename) for the `command` backend. */
  ossecArgs: string[];
}

export type FirewallFields = NonNullable<GeoLogRecord['geo_response']['firewall']>;

export interface FirewallOutcome {
  fields: FirewallFields;
  /** Kind 'command': the firewall could not be changed as planned; `fields.result` is 'failed'. */
  error?: GeoResponseError;
}

export interface ApplyFirewallOptions {
  /** The environment the commands run with (execd's own; PATH may be missing). */
  env: NodeJS.ProcessEnv;
  /** Per-command timeout; default FIREWALL_COMMAND_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Where the lock file lives; default defaultLockDir() (/run/geo-response as root: never a directory the group can write). Tests pass their own. */
  lockDir?: string;
  /** How long to wait for another invocation's lock; default LOCK_WAIT_TIMEOUT_MS. */
  lockTimeoutMs?: number;
  /** Directories searched for the backend binaries; default /usr/sbin, /sbin, /usr/bin, /bin. Tests point it at fakes. */
  binDirs?: string[];
}

/** One command of a plan: a program (bare name looked up in the bin dirs, or an absolute path) and its argv. */
export interface PlannedCommand {
  program: string;
  args: string[];
}

/** A read-only question to the firewall; exit 0 means "present", exit 1 with output matching `absent` means "absent". */
export interface Probe {
  command: PlannedCommand;
  absent: RegExp;
}

interface StepBase {
  command: PlannedCommand;
  /** The command that reverses this step, run when a later step fails after this one changed something. */
  undo?: PlannedCommand;
  /** The step that is the block itself (or its removal): the outcome's result comes from it. */
  effect?: 'block' | 'unblock';
  /** What the step puts in place, for the record when a failed plan leaves it behind. */
  summary: string;
}

/** Run the command; a non-zero exit whose output matches `unchanged` means it was already so (e.g. "Chain already exists"). */
export interface RunStep extends StepBase {
  kind: 'run';
  unchanged?: RegExp;
}

/** Ask first; run the command only when the probe says the thing is absent ('absent') or present ('present'). */
export interface EnsureStep extends StepBase {
  kind: 'ensure';
  probe: Probe;
  runWhen: 'absent' | 'present';
}

export type PlanStep = RunStep | EnsureStep;

export interface FirewallPlan {
  steps: PlanStep[];
  /** The native expiry the block carries: 0 when the backend has none (iptables); absent when not ours to say (command). */
  expireSeconds?: number;
  /** Check-then-change sequences race between concurrent invocations; false only where the program locks for itself. */
  needsLock: boolean;
}

export interface BackendRequest {
  action: 'add' | 'delete';
  address: IpAddress;
  expireSeconds: number;
  ossecArgs: string[];
}

/** One firewall backend: turns a request into a plan; the runner applies it. */
export interface FirewallBackend {
  name: string;
  plan(request: BackendRequest): FirewallPlan;
}
