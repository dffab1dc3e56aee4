/**
 * The geo log record: one JSON line per invocation.
 *
 * Field names follow the Elastic Common Schema so the file ships as-is to
 * Elasticsearch, OpenSearch or the Wazuh indexer. There is deliberately no
 * top-level `srcip`: OSSEC/Wazuh read this log back with the JSON decoder, and
 * a `srcip` field would make every record a new alert that can trigger this
 * active response again (a loop). `source.ip` stays a plain dynamic field.
 */

export type Action = 'add' | 'delete';
/** Who called: one of execd's protocols, or an administrator at the command line (`blocks remove`). */
export type Protocol = ExecdProtocol | 'cli' | 'unknown';
/** The protocols execd speaks. */
export type ExecdProtocol = 'ossec' | 'wazuh4' | 'wazuh5';
export type Decision = 'block' | 'allow' | 'log';
/** ECS `event.outcome` values. */
export type Outcome = 'success' | 'failure' | 'unknown';

/** The ECS version whose field definitions the record follows (test/ecs-conformance.test.ts checks it). */
export const ECS_VERSION = '9.4.0';

/**
 * ECS `event.type` values a record can carry: `denied`, `allowed` and `info` are those ECS expects
 * under `intrusion_detection`; `start` is for a located login (category `authentication`), `error`
 * is added to a failure.
 */
export type EventType = 'denied' | 'allowed' | 'info' | 'start' | 'error';
/** ECS `event.category`: an attack seen by OSSEC/Wazuh, or (located logins) an authentication. */
export type EventCategory = 'intrusion_detection' | 'authentication';

/**
 * Key order is part of the format (people read the lines): `@timestamp`, `ecs`, `event`,
 * `source`, `user`, `rule`, `observer`, then `geo_response` last.
 */
export interface GeoLogRecord {
  /**
   * One readable line (src/log/alert-message.ts), first in the record: what OSSEC's decoder,
   * alerts.log and the alert email show. Always written now; absent in records written before it existed.
   */
  message?: string;
  '@timestamp': string;
  ecs: { version: typeof ECS_VERSION };
  event: {
    kind: 'event';
    module: 'geo-response';
    dataset: 'geo-response.log';
    category: EventCategory[];
    type: EventType[];
    /** The protocol's word mapped onto ours: add or delete. Absent only when the input could not be understood. */
    action?: Action;
    outcome: Outcome;
    /** Why the outcome is what it is, in words ("RU is in deny list", "no reply to check_keys within 5000 ms"). */
    reason: string;
    /** The alert's rule level, where the protocol carries it (Wazuh); ECS's place for a source's own severity. */
    severity?: number;
    /** How long the invocation took, in nanoseconds (ECS). */
    duration: number;
  };
  source?: {
    ip: string;
    geo?: {
      continent_code?: string;
      continent_name?: string;
      country_iso_code?: string;
      country_name?: string;
      region_iso_code?: string;
      region_name?: string;
      city_name?: string;
      postal_code?: string;
      location?: { lat: number; lon: number };
      timezone?: string;
    };
    as?: { number?: number; organization?: { name: string } };
  };
  /** `name`: the acting user (Wazuh srcuser); `target.name`: the user the alert is about (OSSEC's user, Wazuh dstuser). */
  user?: { name?: string; target?: { name: string } };
  rule?: { id?: string; description?: string };
  /**
   * The OSSEC/Wazuh agent the alert came from. ECS `agent.*` is the shipper (Filebeat writes its
   * own there) and `host.*` is where the event happened (a relay agent reads other hosts' logs,
   * and Filebeat's add_host_metadata overwrites it); an agent is the IDS that observed the event.
   */
  observer?: { name?: string; ip?: string[] };
  geo_response: GeoResponseFields;
}

export interface GeoResponseFields {
  version: string;
  protocol: Protocol;
  /** The OSSEC/Wazuh agent's id ("001"): ECS has no observer id. */
  agent_id?: string;
  alert_id?: string;
  /** OSSEC/Wazuh location of the event ("(web1) 10.0.0.5->/var/log/secure", "/var/log/auth.log"). */
  location?: string;
  /** The source IP as received when it was not a valid address (truncated); `source.ip` only ever holds a valid one. */
  raw_ip?: string;
  /** Stable error code when the invocation failed (INVALID_IP, HANDSHAKE_TIMEOUT, …). */
  error_code?: string;
  /** Wazuh 4 check_keys answer: continue, abort, or none when it never came. */
  handshake?: 'continue' | 'abort' | 'timeout';
  /** Address class: public, or the special-purpose range it falls in (private, loopback, documentation, …). */
  address_class?: string;
  /** The network the address matched: the database prefix, or the special-purpose range. */
  network?: string;
  accuracy_radius_km?: number;
  /** Which databases answered (or failed to). */
  databases?: Array<{ role: 'geo' | 'asn'; path: string; type: string; build_date: string }>;
  lookup_error?: string;
  decision?: { action: Decision; reason: string };
  firewall?: {
    backend: string;
    /** What the backend did: blocked, unblocked, already-blocked, not-blocked, planned (dry run), none, failed. */
    result: string;
    dry_run?: boolean;
    expire_seconds?: number;
    /** The commands run (or planned), each as one shell-quoted line for reading; they were run as argv arrays. */
    commands?: string[];
    error?: string;
    /** Why the block state (what `blocks restore` re-applies) could not be updated; the firewall change itself stands. */
    state_error?: string;
  };
  /** Who asked, for what an administrator did by hand (`blocks remove`). */
  requested_by?: { user: string; uid: number };
  /** A successful login, judged against the user's history (src/logins/, docs/logins.md). */
  login?: LoginFields;
}

/** `geo_response.login`: what a successful login was found to be. */
export interface LoginFields {
  user?: string;
  /** new_country, impossible_travel, both comma-separated, none, learning, ignored or not_recorded: one string for rules to match. */
  finding: string;
  /** The finding in words: "alice: first login from RU; seen before DE (41 logins), FR (2)". */
  message: string;
  history?: 'learning' | 'established';
  new_country?: { country: string; seen_before: Array<{ country: string; logins: number }> };
  travel?: { from_country: string; from_city?: string; to_country: string; to_city?: string; distance_km: number; least_distance_km: number; minutes: number; speed_kmh: number };
  travel_not_checked?: string;
}
