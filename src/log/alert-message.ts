/**
 * The record's one-line summary, its ECS `message`: what a person reads in OSSEC's alerts.log and
 * in the alert email, and what OSSEC's decoder for the geo log reads. OSSEC has no JSON decoder
 * and its rule descriptions cannot quote decoded fields, so the text that says where an attacker
 * is must be in the log line itself, first, in a form a regex decoder can rely on:
 *
 *   geo-response: <kind> <ip> <CC,Region,City> AS<n> <organisation> (<why>) after rule <id> on <location>
 *
 * <kind> is one word (blocked, unblocked, logged, ended, failed, skipped, aborted) so that rules
 * tell record kinds apart without reading the rest. What an attacker can influence (a malformed
 * address, an error text quoting it) comes after the kind and the address, and never holds a
 * line break (JSON escapes it), so it cannot change what the decoder reads. Pure.
 */
import type { GeoLogRecord } from './record.js';
import { findingFlags } from './login-finding.js';

/**
 * The kinds of record, as the first word after `geo-response: `. Rules key on these words. A
 * successful login (src/logins/) is `login`, or its finding: `new_country`, `impossible_travel`,
 * or `new_country_and_travel` for both; it takes the place of blocked/logged.
 */
export type MessageKind = 'blocked' | 'unblocked' | 'logged' | 'ended' | 'failed' | 'skipped' | 'aborted' | LoginKind;
type LoginKind = 'login' | 'new_country' | 'impossible_travel' | 'new_country_and_travel';

const MAX_MESSAGE_CHARS = 900;

type RecordFields = Omit<GeoLogRecord, 'message'>;

export function messageKind(record: RecordFields): MessageKind {
  const own = record.geo_response;
  if (record.event.outcome === 'failure') return 'failed';
  if (!record.source) return 'skipped';
  if (own.handshake === 'abort') return 'aborted';
  const result = own.firewall?.result;
  if (record.event.action === 'delete') return result === 'unblocked' ? 'unblocked' : 'ended';
  if (own.login) return loginKind(own.login.finding);
  if (result === 'blocked' || result === 'already-blocked') return 'blocked';
  return 'logged';
}

export function alertMessage(record: RecordFields): string {
  const kind = messageKind(record);
  const parts = [`geo-response: ${kind}`];
  if (record.source) parts.push(record.source.ip, where(record));
  else if (record.geo_response.raw_ip !== undefined) parts.push(record.geo_response.raw_ip || '-');
  const as = record.source?.as;
  if (as?.number !== undefined) parts.push(`AS${as.number}`);
  if (as?.organization?.name) parts.push(as.organization.name);
  parts.push(`(${why(record, kind)})`);
  if (record.rule?.id) parts.push(`after rule ${record.rule.id}`);
  if (record.geo_response.location) parts.push(`on ${record.geo_response.location}`);
  const text = parts.join(' ').replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}

/** `RU,Moscow,Moscow` as the original OSSEC patch wrote it; the address class for special ranges. */
function where(record: RecordFields): string {
  const geo = record.source?.geo;
  const place = [geo?.country_iso_code, geo?.region_name, geo?.city_name].filter((part): part is string => Boolean(part));
  if (place.length > 0) return place.join(',');
  const addressClass = record.geo_response.address_class;
  return addressClass && addressClass !== 'public' ? addressClass : 'location-unknown';
}

function loginKind(finding: string): LoginKind {
  const { newCountry, travel } = findingFlags(finding);
  return newCountry && travel ? 'new_country_and_travel' : newCountry ? 'new_country' : travel ? 'impossible_travel' : 'login';
}

function why(record: RecordFields, kind: MessageKind): string {
  const own = record.geo_response;
  // A login says what was found in words first; a block it caused (logins.block) after.
  if (own.login && kind !== 'failed') return own.firewall ? `${own.login.message}; ${own.decision?.reason ?? ''}; firewall ${own.firewall.result}` : own.login.message;
  if (kind === 'failed') return own.error_code ? `${own.error_code}: ${record.event.reason}` : record.event.reason;
  if (kind === 'blocked' || kind === 'logged') return own.decision?.reason ?? record.event.reason;
  if (kind === 'unblocked' || kind === 'ended') return own.firewall ? `firewall ${own.firewall.result}` : 'nothing was blocked';
  return record.event.reason;
}
