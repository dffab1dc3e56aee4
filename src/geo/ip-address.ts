import { isIP } from 'node:net';
import { GeoResponseError } from '../errors.js';

export interface IpAddress {
  /** Canonical text: dotted quad for IPv4 (also for IPv4-mapped IPv6), RFC 5952 compressed lowercase for IPv6. */
  text: string;
  family: 4 | 6;
}

// Longer than any spelling of an address (45 chars for an IPv6 with embedded IPv4, plus a zone);
// anything longer is rejected before any other work and never echoed whole.
const MAX_IP_TEXT_LENGTH = 64;
const MAPPED_DOTTED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
const MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i;

/** Validate an address as execd hands it over and bring it to one canonical spelling (so one IP is one block). */
export function parseIpAddress(raw: string): IpAddress {
  const trimmed = raw.trim();
  if (trimmed.length === 0) throw invalidIp(raw, 'empty');
  if (trimmed.length > MAX_IP_TEXT_LENGTH) throw invalidIp(raw, `${trimmed.length} characters long`);
  const mapped = unmapIpv4(trimmed);
  if (mapped !== undefined) return { text: mapped, family: 4 };
  const family = isIP(trimmed);
  if (family === 4) return { text: trimmed, family: 4 };
  if (family === 6 && !trimmed.includes('%')) return { text: canonicalIpv6(trimmed), family: 6 };
  throw invalidIp(raw, 'not an IPv4 or IPv6 address');
}

/** A short, quoted, printable rendering of untrusted text for error messages. */
export function quoteForMessage(raw: string): string {
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return JSON.stringify(shown);
}

function invalidIp(raw: string, why: string): GeoResponseError {
  return new GeoResponseError(`invalid source IP ${quoteForMessage(raw)}: ${why}`, { code: 'INVALID_IP', kind: 'input' });
}

// OSSEC strips ::ffff: for IPv4-mapped addresses, Wazuh does not always; both spellings of the
// same attacker must land on one IPv4 record and one IPv4 block.
function unmapIpv4(text: string): string | undefined {
  const dotted = MAPPED_DOTTED.exec(text);
  if (dotted?.[1] !== undefined) return isIP(dotted[1]) === 4 ? dotted[1] : undefined;
  const hex = MAPPED_HEX.exec(text);
  if (hex?.[1] === undefined || hex[2] === undefined) return undefined;
  const high = Number.parseInt(hex[1], 16);
  const low = Number.parseInt(hex[2], 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

// The WHATWG URL parser already implements RFC 5952 serialisation; reusing it beats a hand-written compressor.
function canonicalIpv6(text: string): string {
  const host = new URL(`http://[${text}]/`).hostname;
  return host.slice(1, -1);
}
