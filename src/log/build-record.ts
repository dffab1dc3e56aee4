import type { GeoResponseError } from '../errors.js';
import { definedOnly } from '../invocation/json-fields.js';
import type { GeoLookup } from '../geo/lookup-address.js';
import type { IpAddress } from '../geo/ip-address.js';
import type { Invocation } from '../invocation/invocation.js';
import type { GeoLogRecord, GeoResponseFields, Outcome, Protocol, Decision } from './record.js';
import type { LoginAnalysis } from '../logins/analyse-login.js';
import { buildLoginFields } from './build-login-fields.js';
import { formatUtcTimestamp } from '../utc-timestamp.js';
import { alertMessage } from './alert-message.js';

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
  login?: LoginAnalysis;
  error?: GeoResponseError;
}

/** Assemble the ECS record for one invocation from what it learned. Pure. */
export function buildRecord(input: RecordInput): GeoLogRecord {
  const { invocation, lookup } = input;
  const ecs: Omit<GeoLogRecord, 'geo_response' | 'message'> = {
    '@timestamp': formatUtcTimestamp(input.timestamp),
    event: {
      kind: 'event',
      module: 'geo-response',
      ...(invocation ? { action: invocation.action } : {}),
      outcome: input.outcome,
      reason: cap(input.reason),
    },
  };
  if (input.address) ecs.source = buildSource(input.address, lookup);
  if (invocation?.user) ecs.user = { name: cap(invocation.user) };
  if (invocation?.rule) ecs.rule = capValues(invocation.rule);
  if (invocation?.agent) ecs.agent = capValues(invocation.agent);
  // geo_response goes last so the ECS fields lead when a person reads the line, and its duration last;
  // the message goes first, for the reader of an alert email and for OSSEC's decoder.
  const record = { ...ecs, geo_response: { version: input.version, protocol: input.protocol, ...buildOwnFields(input), duration_ms: roundMs(input.durationMs) } };
  return { message: alertMessage(record), ...record };
}

function buildSource(address: IpAddress, lookup: GeoLookup | undefined): NonNullable<GeoLogRecord['source']> {
  const source: NonNullable<GeoLogRecord['source']> = { ip: address.text };
  const fields = lookup?.fields;
  if (!fields) return source;
  const geo = definedOnly({
    country_iso_code: fields.countryIsoCode,
    country_name: fields.countryName,
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

function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}
