import type { Action, Decision } from '../log/record.js';

/**
 * One geo-log record reduced to what the report counts. Parsing keeps only
 * these fields so that a million records cost a million small objects that
 * die young, never a million full records alive at once.
 */
export interface ReportEvent {
  /** `@timestamp` in epoch milliseconds. */
  timeMs: number;
  action?: Action;
  outcome: string;
  /** Absent when the input could not be understood (no `source`): always a failure. */
  ip?: string;
  countryCode?: string;
  countryName?: string;
  lat?: number;
  lon?: number;
  asn?: number;
  organization?: string;
  decision?: Decision;
  decisionReason?: string;
  ruleId?: string;
  /** `geo_response.address_class` (public, private, documentation…), where the record carries one. */
  addressClass?: string;
  /** The OSSEC/Wazuh agent the alert came from (`observer.name`, or `agent.name` in older records). */
  agentName?: string;
  ruleDescription?: string;
  /** OSSEC/Wazuh location of the event (`(web1) 10.0.0.5->/var/log/auth.log`), whole. */
  location?: string;
  errorCode?: string;
  /** A successful login's judgement (geo_response.login), for `report --logins`. */
  login?: { user: string; finding: string; message: string };
}

/** A record blocks when it adds and the policy said block; its `delete` twin does not count twice. */
export function isBlockEvent(event: ReportEvent): boolean {
  return event.action === 'add' && event.decision === 'block';
}

/** A failure: the outcome says so, or there was no source to act on (except a skip: an alert without an address, recorded as a success). */
export function isFailureEvent(event: ReportEvent): boolean {
  return event.outcome === 'failure' || (event.ip === undefined && event.outcome !== 'success');
}
