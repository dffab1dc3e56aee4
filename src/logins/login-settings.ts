import { STOCK_SUCCESS_RULE_IDS } from './stock-success-rules.js';

/** What a finding is called in the configuration, the record and the rules. */
export type FindingKind = 'new_country' | 'impossible_travel';

/** The `logins` section of the configuration, validated (docs/logins.md says why each default). */
export interface LoginSettings {
  /** Rule ids that are successful logins, for alerts that carry no rule groups (OSSEC argv). */
  success_rules: string[];
  learning: { logins: number; days: number };
  travel: { max_speed_kmh: number; min_distance_km: number };
  /** Users whose logins are neither remembered nor judged (service accounts). */
  ignore_users: string[];
  /** Per user, countries that are never a new-country finding; "*" applies to every user. */
  allowed_countries: Record<string, string[]>;
  /** Findings that also block the address (with the policy's never-block rules); none by default. */
  block: FindingKind[];
  history: { max_users: number; max_countries_per_user: number; forget_days: number };
}

// A week and five logins: before that, every country is "new" and would only be noise.
export const DEFAULT_LEARNING = { logins: 5, days: 7 } as const;
// An airliner cruises at 850-950 km/h; 500 km is beyond the error of city-level geolocation of
// mobile and carrier-grade NAT addresses within one country.
export const DEFAULT_TRAVEL = { max_speed_kmh: 1000, min_distance_km: 500 } as const;
export const DEFAULT_HISTORY = { max_users: 10000, max_countries_per_user: 32, forget_days: 365 } as const;

/** The logins settings in force when the configuration says nothing. */
export function defaultLoginSettings(): LoginSettings {
  return {
    success_rules: [...STOCK_SUCCESS_RULE_IDS],
    learning: { ...DEFAULT_LEARNING },
    travel: { ...DEFAULT_TRAVEL },
    ignore_users: [],
    allowed_countries: {},
    block: [],
    history: { ...DEFAULT_HISTORY },
  };
}
