import type { TransportName } from './types.js';

/**
 * One spelling per address, so that a connection accepted from
 * `::ffff:192.0.2.1` and a target written `192.0.2.1` (or `[2001:DB8::1]`)
 * meet in the connection index.
 */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return '';
  let a = address;
  if (a.charCodeAt(0) === 0x5b /* [ */ && a.charCodeAt(a.length - 1) === 0x5d /* ] */) a = a.slice(1, -1);
  if (a.indexOf(':') < 0) return a;
  a = a.toLowerCase();
  // IPv4-mapped IPv6 (RFC 4291 §2.5.5.2), as a dual-stack socket reports IPv4 peers.
  if (a.startsWith('::ffff:') && a.indexOf('.') > 0) return a.slice(7);
  return a;
}

/** True for an IPv6 literal (the only addresses with a colon). */
export function isIpv6(address: string): boolean {
  return address.indexOf(':') >= 0;
}

/** True for the wildcard addresses a listener may bind. */
export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '';
}

/** Key of the connection index: transport, normalized address, port. */
export function connectionKey(transport: TransportName, address: string, port: number): string {
  return `${transport} ${address} ${port}`;
}

export function isStreamTransport(t: TransportName): boolean {
  return t !== 'udp';
}

export function isWebSocketTransport(t: TransportName): t is 'ws' | 'wss' {
  return t === 'ws' || t === 'wss';
}
