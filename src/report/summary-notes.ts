import type { ReportSummary } from './report-summary.js';
import { formatCount } from './text-format.js';

/** Said instead of a Networks table whose only row is "no ASN": no record carried `source.as`. */
export const NO_ASN_DATA = 'No record carries an AS number: no ASN database was configured (set databases.asn, e.g. GeoLite2-ASN).';

/** Whether any record carried an AS number, so that a Networks table says something. */
export function hasAsnData(summary: ReportSummary): boolean {
  return summary.asns.rows.some((row) => row.number !== null);
}

/** The events from special-purpose sources that Top IPs leaves out, in words; undefined when there were none. */
export function describeSpecialAddresses(summary: ReportSummary): string | undefined {
  const { special } = summary.top_ips;
  if (special.length === 0) return undefined;
  const events = special.reduce((sum, row) => sum + row.events, 0);
  const parts = special.map((row) => `${row.address_class} ${formatCount(row.events)}`).join(', ');
  return `Public addresses only: ${formatCount(events)} events from private, documentation and other special addresses are counted apart (${parts}).`;
}
