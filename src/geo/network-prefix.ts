import { maskBytes } from './address-bytes.js';
import { formatAddressBytes, type IpAddress } from './ip-address.js';

/** The network an address falls in at a prefix length, as CIDR text ("81.2.69.0/24", "2a02:cf40::/29"). */
export function formatNetwork(address: IpAddress, prefixLength: number): string {
  return `${formatAddressBytes(maskBytes(address.bytes, prefixLength))}/${prefixLength}`;
}
