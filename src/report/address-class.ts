import { GeoResponseError } from '../errors.js';
import { parseIpAddress } from '../geo/ip-address.js';
import { classifyAddress } from '../geo/special-ranges.js';
import type { ReportEvent } from './report-event.js';

/** What a source address that is not one is counted as (a record written by hand, or by a broken tool). */
export const NOT_AN_ADDRESS = 'not an address';

/**
 * The address class of a record's source: the one the executable recorded, else (records that
 * failed before the lookup) classified here from the address itself.
 */
export function classifyReportedAddress(event: ReportEvent & { ip: string }): string {
  if (event.addressClass !== undefined) return event.addressClass;
  try {
    return classifyAddress(parseIpAddress(event.ip)).addressClass;
  } catch (error) {
    if (error instanceof GeoResponseError && error.code === 'INVALID_IP') return NOT_AN_ADDRESS;
    throw error;
  }
}
