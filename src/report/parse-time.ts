import { GeoResponseError } from '../errors.js';

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION = /^(\d+)([smhdw])$/;
// Date, or date and time; a time without a zone is read as UTC so a report is the same on every server.
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Parse a `--since`/`--until` value: a duration back from `now` (30m, 24h, 7d, 2w) or an ISO 8601 date/time. */
export function parseTimeBound(flag: string, value: string, now: Date): Date {
  const duration = DURATION.exec(value);
  if (duration) {
    const [, amount, unit] = duration;
    return new Date(now.getTime() - Number(amount) * (UNIT_MS[unit as string] as number));
  }
  const iso = ISO_DATE.exec(value);
  if (iso) {
    const hasTime = value.length > 10;
    const text = hasTime && iso[1] === undefined ? `${value.replace(' ', 'T')}Z` : value.replace(' ', 'T');
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  throw new GeoResponseError(
    `${flag} ${JSON.stringify(value)} is neither a duration (30m, 24h, 7d, 2w) nor an ISO date (2026-11-27, 2026-11-27T08:00Z)`,
    { code: 'REPORT_BAD_TIME', kind: 'usage' },
  );
}
