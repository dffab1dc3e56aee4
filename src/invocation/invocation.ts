import type { Action, ExecdProtocol } from '../log/record.js';

/** One execd call, whatever protocol it came in: what the rest of the program works from. */
export interface Invocation {
  protocol: ExecdProtocol;
  action: Action;
  /**
   * The source IP exactly as the protocol carried it; validated separately so a bad IP still
   * leaves a useful record. Absent when the alert carries none (file integrity, rootcheck…):
   * nothing to do, a skip rather than a failure.
   */
  rawIp?: string;
  /** The user the alert is about (OSSEC's user argument, Wazuh's `data.dstuser`): ECS `user.target.name`. */
  targetUser?: string;
  /** The user acting (Wazuh's `data.srcuser`, Wazuh 5's `user.name`): ECS `user.name`. */
  sourceUser?: string;
  alertId?: string;
  rule?: { id?: string; level?: number; description?: string };
  /** The rule's groups, where the protocol carries them (Wazuh JSON): how a login is told from an attack. */
  ruleGroups?: string[];
  /** The OSSEC/Wazuh agent the alert came from (for OSSEC, parsed from the location); `ip` as the protocol wrote it. */
  agent?: { id?: string; name?: string; ip?: string };
  /** OSSEC/Wazuh location of the event. */
  location?: string;
  extraArgs: string[];
  /** Wazuh 5 stateful responses say how long the block should last. */
  statefulTimeoutSeconds?: number;
  /** The standard OSSEC argv (action user srcip alertid ruleid location filename), for the `command` backend. */
  ossecArgs: string[];
}

/** What execd handed us before any parsing: the arguments and, when there were none, the first stdin line. */
export interface RawInput {
  args: string[];
  stdinLine?: string;
}
