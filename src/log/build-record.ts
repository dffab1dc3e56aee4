import type { GeoResponseError } from '../errors.js';
import { definedOnly } from '../invocation/json-fields.js';
import type { GeoLookup } from '../geo/lookup-address.js';
import type { IpAddress } from '../geo/ip-address.js';
import type { Invocation } from '../invocation/invocation.js';
import { parseIpAddress } from '../geo/ip-address.js';
import { ECS_VERSION, type Action, type EventType, type GeoLogRecord, type GeoResponseFields, type Outcome, type Protocol, type Decision } from './record.js';
import { formatUtcTimestamp } from '../utc-timestamp.js';
import { alertMessage } from './alert-message.js';
import type { LoginAnalysis } from '../logins/analyse-login.js';
import { buildLoginFields } from './build-login-fields.js';

// Attacker-controlled text is capped so that one record stays one small write.
const MAX_TEXT_FIELD_CHARS = 512;

export interface RecordInput {
  timestamp: Date;
  version: string;
  durationMs: number;
  outcome: Outcome;
  reason: string;
  protocol: Protocol;
  invocation?: Invocation;
  address?: IpAddress;
  lookup?: GeoLookup;
  decision?: { action: Decision; reason: string };
  firewall?: GeoResponseFields['firewall'];
  handshake?: GeoResponseFields['handshake'];
  /** A successful login's judgement (src/logins/): the record is then an authentication event. */
  login?: LoginAnalysis;
  error?: GeoResponseError;
  /** The action when no execd call carries it (`blocks remove` deletes). */
  action?: Action;
  requestedBy?: GeoResponseFields['requested_by'];
}

/** Assemble the ECS record for one invocation from what it learned. Pure. */
export function buildRecord(input: RecordInput): GeoLogRecord {
  const { invocation, lookup } = input;
  const severity = invocation?.rule?.level;
  const ecs: Omit<GeoLogRecord, 'geo_response' | 'message'> = {
    '@timestamp': formatUtcTimestamp(input.timestamp),
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'event',
      module: 'geo-response',
      dataset: 'geo-response.log',
      category: [input.login ? 'authentication' : 'intrusion_detection'],
      type: input.login ? loginEventTypes(input.outcome) : classifyEvent(invocation?.action ?? input.action, input.decision?.action, input.outcome),
      ...(invocation ? { action: invocation.action } : input.action ? { action: input.action } : {}),
      outcome: input.outcome,
      reason: cap(input.reason),
      ...(severity !== undefined ? { severity } : {}),
      duration: Math.round(input.durationMs * NANOSECONDS_PER_MS),
    },
  };
  if (input.address) ecs.source = buildSource(input.address, lookup);
  const user = invocation ? buildUser(invocation) : undefined;
  if (user) ecs.user = user;
  const rule = definedOnly({ id: invocation?.rule?.id, description: invocation?.rule?.description });
  if (rule) ecs.rule = capValues(rule);
  const observer = invocation?.agent ? buildObserver(invocation.agent) : undefined;
  if (observer) ecs.observer = observer;
  // geo_response goes last so the ECS fields lead when a person reads the line; the message goes
  // first, for the reader of an alert email and for OSSEC's decoder.
  const record = { ...ecs, geo_response: { version: input.version, protocol: input.protocol, ...buildOwnFields(input) } };
  return { message: alertMessage(record), ...record };
}

const NANOSECONDS_PER_MS = 1e6;

// A located successful login is the start of a session (ECS authentication: start), whatever it
// was found to be; `error` added when the invocation failed.
function loginEventTypes(outcome: Outcome): EventType[] {
  return outcome === 'failure' ? ['start', 'error'] : ['start'];
}

const DECISION_EVENT_TYPES: Record<Decision, EventType> = { block: 'denied', allow: 'allowed', log: 'info' };

// ECS categorisation: what the policy said on an add (denied = blocked), `info` for the rest
// (delete, abort, skip), and `error` added when the invocation failed.
function classifyEvent(action: Invocation['action'] | undefined, decision: Decision | undefined, outcome: Outcome): EventType[] {
  const types: EventType[] = [];
  if (action === 'add' && decision) types.push(DECISION_EVENT_TYPES[decision]);
  else if (action) types.push('info');
  if (outcome === 'failure') types.push('error');
  return types;
}

function buildUser(invocation: Invocation): GeoLogRecord['user'] {
  if (!invocation.sourceUser && !invocation.targetUser) return undefined;
  return {
    ...(invocation.sourceUser ? { name: cap(invocation.sourceUser) } : {}),
    ...(invocation.targetUser ? { target: { name: cap(invocation.targetUser) } } : {}),
  };
}

function buildObserver(agent: NonNullable<Invocation['agent']>): GeoLogRecord['observer'] {
  const ip = agent.ip !== undefined ? canonicalAddress(agent.ip) : undefined;
  if (agent.name === undefined && ip === undefined) return undefined;
  return { ...(agent.name !== undefined ? { name: cap(agent.name) } : {}), ...(ip !== undefined ? { ip: [ip] } : {}) };
}

// observer.ip is mapped as an address: text that is not one (Wazuh's "any", a host name) is left out.
function canonicalAddress(text: string): string | undefined {
  try {
    return parseIpAddress(text).text;
  } catch {
    return undefined;
  }
}

function buildSource(address: IpAddress, lookup: GeoLookup | undefined): NonNullable<GeoLogRecord['source']> {
  const source: NonNullable<GeoLogRecord['source']> = { ip: address.text };
  const fields = lookup?.fields;
  if (!fields) return source;
  const geo = definedOnly({
    continent_code: fields.continentCode,
    continent_name: fields.continentName,
    country_iso_code: fields.countryIsoCode,
    country_name: fields.countryName,
    region_iso_code: fields.regionIsoCode,
    region_name: fields.regionName,
    city_name: fields.cityName,
    postal_code: fields.postalCode,
    location: fields.latitude !== undefined && fields.longitude !== undefined ? { lat: fields.latitude, lon: fields.longitude } : undefined,
    timezone: fields.timezone,
  });
  if (geo) source.geo = geo;
  if (fields.asNumber !== undefined || fields.asOrganization !== undefined) {
    source.as = {
      ...(fields.asNumber !== undefined ? { number: fields.asNumber } : {}),
      ...(fields.asOrganization !== undefined ? { organization: { name: fields.asOrganization } } : {}),
    };
  }
  return source;
}

function buildOwnFields(input: RecordInput): Partial<GeoResponseFields> {
  const { invocation, lookup, error } = input;
  const own: Partial<GeoResponseFields> = {};
  if (invocation?.agent?.id) own.agent_id = cap(invocation.agent.id);
  if (invocation?.alertId) own.alert_id = cap(invocation.alertId);
  if (invocation?.location) own.location = cap(invocation.location);
  if (invocation?.rawIp !== undefined && !input.address) own.raw_ip = invocation.rawIp.slice(0, 64);
  if (error) own.error_code = error.code;
  if (input.handshake) own.handshake = input.handshake;
  if (lookup) {
    own.address_class = lookup.addressClass;
    if (lookup.network) own.network = lookup.network;
    if (lookup.fields.accuracyRadiusKm !== undefined) own.accuracy_radius_km = lookup.fields.accuracyRadiusKm;
    if (lookup.databases.length > 0) own.databases = formatDatabaseUses(lookup.databases);
    if (lookup.error) own.lookup_error = lookup.error.message;
  }
  if (input.decision) own.decision = { action: input.decision.action, reason: cap(input.decision.reason) };
  if (input.firewall) own.firewall = input.firewall;
  if (input.requestedBy) own.requested_by = input.requestedBy;
  if (input.login) own.login = buildLoginFields(input.login, cap);
  return own;
}

/** What `lookup --json` prints for one address: the geo log's `source` and the lookup's part of `geo_response`. Pure. */
export function buildLookupRecord(address: IpAddress, lookup: GeoLookup): Pick<GeoLogRecord, 'source'> & { geo_response: Partial<GeoResponseFields> } {
  const own = buildOwnFields({ timestamp: new Date(0), version: '', durationMs: 0, outcome: 'success', reason: '', protocol: 'unknown', address, lookup });
  return { source: buildSource(address, lookup), geo_response: own };
}

/** The databases a lookup used, as the record (and `lookup --json`) spells them. */
export function formatDatabaseUses(databases: GeoLookup['databases']): NonNullable<GeoResponseFields['databases']> {
  return databases.map((db) => ({ role: db.role, path: db.path, type: db.type, build_date: db.buildDate }));
}

function cap(text: string): string {
  return text.length > MAX_TEXT_FIELD_CHARS ? `${text.slice(0, MAX_TEXT_FIELD_CHARS)}…` : text;
}

function capValues<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, typeof item === 'string' ? cap(item) : item])) as T;
}
