import type { Action, Decision } from '../log/record.js';
import type { ReportEvent } from './report-event.js';

/** Which records a report counts; an empty list means "any". */
export interface ReportFilters {
  /** Inclusive. */
  since?: Date;
  /** Exclusive, so `--since 2026-11-26 --until 2026-11-27` is exactly one day. */
  until?: Date;
  countries: string[];
  asns: number[];
  decisions: Decision[];
  rules: string[];
  actions: Action[];
  /** OSSEC/Wazuh agent names, exactly as recorded. */
  agents: string[];
}

/** Whether an event passes every filter; a filter on a field the record lacks excludes it. */
export function matchesFilters(event: ReportEvent, filters: ReportFilters): boolean {
  if (filters.since !== undefined && event.timeMs < filters.since.getTime()) return false;
  if (filters.until !== undefined && event.timeMs >= filters.until.getTime()) return false;
  if (filters.countries.length > 0 && (event.countryCode === undefined || !filters.countries.includes(event.countryCode))) return false;
  if (filters.asns.length > 0 && (event.asn === undefined || !filters.asns.includes(event.asn))) return false;
  if (filters.decisions.length > 0 && (event.decision === undefined || !filters.decisions.includes(event.decision))) return false;
  if (filters.rules.length > 0 && (event.ruleId === undefined || !filters.rules.includes(event.ruleId))) return false;
  if (filters.actions.length > 0 && (event.action === undefined || !filters.actions.includes(event.action))) return false;
  if (filters.agents.length > 0 && (event.agentName === undefined || !filters.agents.includes(event.agentName))) return false;
  return true;
}
