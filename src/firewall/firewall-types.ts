import type { GeoResponseError } from '../errors.js';
import type { IpAddress } from '../geo/ip-address.js';
import type { GeoLogRecord } from '../log/record.js';
import type { CommandRunner, CommandRunnerOptions } from './command-runner.js';

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
  /** The root-only file of blocks in force (src/blocks/); a change that succeeded is recorded there under the lock. Absent: not recorded. */
  statePath?: string;
  /** The clock the state is written with; default the system's. */
  now?: () => Date;
  /** How commands are run; default the alert's runner without execa (sync-command.ts). The commands run by hand pass execa's. */
  createRunner?: (options: CommandRunnerOptions) => CommandRunner;
}

/** One command of a plan: a program (bare name looked up in the bin dirs, or an absolute path) and its argv. */
export interface PlannedCommand {
  program: string;
  args: string[];
  /** What the program reads on stdin (a batch for `nft -f -`, `ipset restore`); stdin is closed otherwise. */
  input?: string | Uint8Array;
}

/** A read-only question to the firewall; exit 0 means "present", exit 1 with output matching `absent` means "absent". */
export interface Probe {
  command: PlannedCommand;
  absent: RegExp;
  /** For a listing: exit 0 means "present" only when stdout matches this, "absent" otherwise. */
  presentIf?: RegExp;
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
  /**
   * When `unchanged` matched, ask this before believing it: the probe must answer `says`. For an
   * output that more than one part of the command can give (nft's "File exists" comes from an
   * element already in the set, and from a set made with other flags); any other answer is the
   * command's failure.
   */
  confirmUnchanged?: { probe: Probe; says: 'present' | 'absent' };
  /** A non-zero exit whose output matches this means the set-up is missing (ipset's "set does not exist"): the plan's `setUp` runs instead. */
  setUpMissing?: RegExp;
}

/** Ask first; run the command only when the probe says the thing is absent ('absent') or present ('present'). */
export interface EnsureStep extends StepBase {
  kind: 'ensure';
  probe: Probe;
  runWhen: 'absent' | 'present';
}

/**
 * A read-only question whose answer must be `says` for the plan to go on: otherwise the set-up the
 * plan counts on is missing, and the plan's `setUp` runs instead. Consecutive verify steps are asked at once.
 */
export interface VerifyStep {
  kind: 'verify';
  probe: Probe;
  says: 'present' | 'absent';
  summary: string;
}

/** A step that may change the firewall. */
export type ChangeStep = RunStep | EnsureStep;

export type PlanStep = ChangeStep | VerifyStep;

export interface FirewallPlan {
  steps: PlanStep[];
  /** The native expiry the block carries: 0 when the backend has none (iptables); absent when not ours to say (command). */
  expireSeconds?: number;
  /** Check-then-change sequences race between concurrent invocations; false only where the program locks for itself. */
  needsLock: boolean;
  /** The steps are independent 'run' steps, each complete by itself, that may run at once (restore's parallel nft batches). */
  concurrent?: boolean;
  /**
   * The whole plan, set-up included, that runs under the firewall lock when this one finds its
   * set-up missing (a verify step or a `setUpMissing` output): the first block after a boot or a
   * flush. Absent: the plan is complete by itself.
   */
  setUp?: FirewallPlan;
}

/** What a backend needs of an address: its canonical text and family (never its bytes). */
export type FirewallAddress = Pick<IpAddress, 'text' | 'family'>;

export interface BackendRequest {
  action: 'add' | 'delete';
  address: FirewallAddress;
  expireSeconds: number;
  ossecArgs: string[];
}

/** An address the firewall blocks now, as the backend reports it. */
export interface ListedBlock {
  ip: string;
  /** Seconds left before the firewall itself lifts it; absent when the block has no expiry or the backend does not say. */
  expiresInSeconds?: number;
}

/** One read-only question that lists blocks: exit 1 with output matching `absent` means "nothing of ours there yet". */
export interface ListQuery {
  command: PlannedCommand;
  absent: RegExp;
  /** The blocks in the command's output. Pure. */
  parse(stdout: string): ListedBlock[];
}

/** A block to put back: the address and the seconds it has left (0 = no expiry). */
export interface RestoreEntry {
  address: FirewallAddress;
  remainingSeconds: number;
}

/** How a backend reports and puts back blocks (`geo-response blocks`); the command backend has none. */
export interface BlockInventory {
  /** Whether the firewall expires blocks itself (nftables, ipset, firewalld), or keeps them until removed (iptables). */
  nativeExpiry: boolean;
  /** Whether the listing says how long each block has left (nftables, ipset); firewalld keeps it to itself. */
  reportsExpiry: boolean;
  list(): ListQuery[];
  /** Whether restore must leave out what the firewall already holds (a bulk add that is not idempotent). */
  restoreSkipsListed: boolean;
  /** One plan that blocks every entry, idempotently. */
  /** `cores`: how many the host has; a backend may split a large restore into that many batches run at once. */
  planRestore(entries: readonly RestoreEntry[], cores: number): FirewallPlan;
}

/** One firewall backend: turns a request into a plan; the runner applies it. */
export interface FirewallBackend {
  name: string;
  plan(request: BackendRequest): FirewallPlan;
  inventory?: BlockInventory;
}
