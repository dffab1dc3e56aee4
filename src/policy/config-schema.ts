import * as z from 'zod/mini';
import { describeUnassignedCode, isAssignedCountryCode } from './country-code.js';
import { parseNetwork } from '../geo/special-ranges.js';
import { MAX_EXPIRE_SECONDS } from './default-config.js';

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
});

export type Config = z.infer<typeof configSchema>;
export type PolicyConfig = Config['policy'];
export type FirewallConfig = Config['firewall'];
export type FirewallBackendName = FirewallConfig['backend'];

function isCidr(value: string): boolean {
  return parseNetwork(value) !== undefined;
}
