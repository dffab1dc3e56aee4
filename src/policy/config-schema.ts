import * as z from 'zod/mini';
import { describeUnassignedCode, isAssignedCountryCode } from './country-code.js';
import { parseNetwork } from '../geo/special-ranges.js';
import { MAX_EXPIRE_SECONDS } from './default-config.js';
import { defaultLoginSettings, DEFAULT_HISTORY, DEFAULT_LEARNING, DEFAULT_TRAVEL } from '../logins/login-settings.js';

/*
 * The configuration file's shape (design §4). zod/mini rather than full zod:
 * measured in a bundled build, full zod 4 costs 33–48 ms of start-up per
 * invocation, zod/mini about 11 ms, and it is only loaded when the file's text
 * differs from the last validated one (src/respond/load-config.ts).
 */

// zod compiles object parsers to code with new Function for fast repeated parsing; we parse
// exactly once per process, where compiling costs more than it saves.
z.config({ jitless: true });

const COUNTRY_CODE = /^[A-Z]{2}$/;

/** An enum whose error lists the accepted words, so a typo tells the fix. */
function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}` });
}

// Well-formed but unassigned codes (UK, EL, SU…) would silently never match: refuse them too.
// XK (Kosovo) is not ISO but is what MaxMind and DB-IP use.
const countryCode = z.string().check(
  z.regex(COUNTRY_CODE, { error: 'expected an ISO 3166-1 alpha-2 country code in capitals, e.g. "RU"' }),
  z.refine((code) => !COUNTRY_CODE.test(code) || isAssignedCountryCode(code), { error: (issue) => describeUnassignedCode(String(issue.input)) }),
);

const asNumber = z.int({ error: 'expected an AS number (a whole number, e.g. 4134)' }).check(
  z.minimum(1, { error: 'expected an AS number of at least 1' }),
  z.maximum(4294967295, { error: 'expected an AS number below 2^32' }),
);

/** A CIDR network or a single address, IPv4 or IPv6: "192.0.2.0/24", "2001:db8::/32", "198.51.100.7". */
const cidr = z.string().check(
  z.refine(isCidr, { error: 'expected a CIDR network or an IP address, e.g. "192.0.2.0/24" or "2001:db8::/32"' }),
);

const ruleId = z.union([z.string().check(z.regex(/^\d+$/)), z.int()], {
  error: 'expected a rule id, e.g. "5763" or 5763',
});

const databasesSchema = z.strictObject({
  geo: z.optional(z.string().check(z.minLength(1))),
  asn: z.optional(z.string().check(z.minLength(1))),
});

const policySchema = z.strictObject({
  mode: z._default(oneOf(['off', 'deny', 'allow']), 'off'),
  countries: z._default(z.array(countryCode), []),
  asns: z._default(z.array(asNumber), []),
  unknown: z._default(oneOf(['log', 'block']), 'log'),
  never_block: z._default(z.array(cidr), []),
  allow_private: z._default(z.boolean({ error: 'expected true or false' }), false),
  min_rule_level: z._default(z.int().check(z.minimum(0), z.maximum(16)), 0),
  rules: z._default(
    z.strictObject({
      include: z._default(z.array(ruleId), []),
      exclude: z._default(z.array(ruleId), []),
    }),
    { include: [], exclude: [] },
  ),
});

const firewallSchema = z.strictObject({
  backend: z._default(oneOf(['none', 'nftables', 'ipset', 'iptables', 'firewalld', 'command']), 'none'),
  expire_seconds: z._default(z.int().check(z.minimum(0), z.maximum(MAX_EXPIRE_SECONDS)), 86400),
  dry_run: z._default(z.boolean({ error: 'expected true or false' }), false),
  command: z.optional(
    z.array(z.string().check(z.minLength(1))).check(z.minLength(1, { error: 'expected [program, ...arguments]' })),
  ),
});

const wholeNumber = (min: number, max: number) => z.int({ error: `expected a whole number from ${min} to ${max}` }).check(z.minimum(min), z.maximum(max));
const userName = z.string().check(z.minLength(1, { error: 'expected a user name' }));

// docs/logins.md says why each default.
const loginsSchema = z.strictObject({
  success_rules: z._default(z.array(z.string().check(z.regex(/^\d+$/, { error: 'expected a rule id in quotes, e.g. "5715"' }))), defaultLoginSettings().success_rules),
  learning: z._default(z.strictObject({ logins: z._default(wholeNumber(0, 100000), DEFAULT_LEARNING.logins), days: z._default(wholeNumber(0, 3650), DEFAULT_LEARNING.days) }), { ...DEFAULT_LEARNING }),
  travel: z._default(
    z.strictObject({ max_speed_kmh: z._default(wholeNumber(1, 100000), DEFAULT_TRAVEL.max_speed_kmh), min_distance_km: z._default(wholeNumber(0, 20000), DEFAULT_TRAVEL.min_distance_km) }),
    { ...DEFAULT_TRAVEL },
  ),
  ignore_users: z._default(z.array(userName), []),
  // "*" is every user (src/logins/find-findings.ts).
  allowed_countries: z._default(z.record(userName, z.array(countryCode)), {}),
  block: z._default(z.array(oneOf(['new_country', 'impossible_travel'])), []),
  history: z._default(
    z.strictObject({
      max_users: z._default(wholeNumber(1, 1000000), DEFAULT_HISTORY.max_users),
      max_countries_per_user: z._default(wholeNumber(1, 250), DEFAULT_HISTORY.max_countries_per_user),
      forget_days: z._default(wholeNumber(1, 36500), DEFAULT_HISTORY.forget_days),
    }),
    { ...DEFAULT_HISTORY },
  ),
});

export const configSchema = z.strictObject({
  databases: z._default(databasesSchema, {}),
  log: z._default(
    z.strictObject({
      path: z.optional(z.string().check(z.minLength(1))),
      // Alerts without a source address are skipped quietly; keep a record of each only when asked.
      record_skipped: z.optional(z.boolean({ error: 'expected true or false' })),
    }),
    {},
  ),
  policy: z._default(policySchema, {
    mode: 'off',
    countries: [],
    asns: [],
    unknown: 'log',
    never_block: [],
    allow_private: false,
    min_rule_level: 0,
    rules: { include: [], exclude: [] },
  }),
  firewall: z._default(firewallSchema, { backend: 'none', expire_seconds: 86400, dry_run: false }),
  logins: z._default(loginsSchema, defaultLoginSettings()),
});

export type Config = z.infer<typeof configSchema>;
export type PolicyConfig = Config['policy'];
export type FirewallConfig = Config['firewall'];
export type FirewallBackendName = FirewallConfig['backend'];
export type LoginsConfig = Config['logins'];

function isCidr(value: string): boolean {
  return parseNetwork(value) !== undefined;
}
