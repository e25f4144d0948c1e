import { ipToBytes } from './ip-bytes.js';

/** RFC 5389 §6: the fixed magic cookie in bytes 4..7 of every STUN message. */
export const STUN_MAGIC_COOKIE = 0x2112a442;
const HEADER = 20;
/** §18.1 message types: Binding request, indication, success response. */
const BINDING_REQUEST = 0x0001;
const BINDING_INDICATION = 0x0011;
const BINDING_SUCCESS = 0x0101;
/** §18.2 attributes. */
const ATTR_MAPPED_ADDRESS = 0x0001;
const ATTR_XOR_MAPPED_ADDRESS = 0x0020;

export type StunParse =
  /** A Binding request: answer it. `classic` = no magic cookie (RFC 3489 client, §12.2). */
  | { kind: 'binding-request'; transactionId: Buffer; classic: boolean }
  /** A Binding indication: a keep-alive needing no answer (§5: indications get none). */
  | { kind: 'binding-indication' }
  /** Not a STUN message we answer (other method, a response, or malformed); dropped silently (§7.3). */
  | { kind: 'ignored'; reason: string };

/**
 * Parses a datagram that arrived on a SIP UDP port whose first byte is
 * 0x00 or 0x01 (RFC 5626 §4.4.2 / RFC 5389 §6: the top two bits of a STUN
 * message are zero, so it cannot be SIP text). Only the header is read:
 * the edge answers Binding requests and needs none of their attributes
 * (keep-alive STUN carries no authentication, RFC 5626 §8).
 */
export function parseStun(data: Buffer): StunParse {
  if (data.length < HEADER) return { kind: 'ignored', reason: 'shorter than a STUN header' };
  if ((data[0]! & 0xc0) !== 0) return { kind: 'ignored', reason: 'top two bits not zero' };
  const length = data.readUInt16BE(2);
  // §6: "the message length MUST contain the size, in bytes, of the message not including the 20-byte STUN header"
  // and, since attributes are padded to 4 bytes, "the last 2 bits of this field are always zero".
  if ((length & 3) !== 0 || length + HEADER !== data.length) return { kind: 'ignored', reason: 'bad message length' };
  const type = data.readUInt16BE(0);
  const classic = data.readUInt32BE(4) !== STUN_MAGIC_COOKIE;
  if (type === BINDING_REQUEST) {
    // §6: the transaction id is 96 bits after the cookie; an RFC 3489 client uses all 128 bits.
    return { kind: 'binding-request', transactionId: Buffer.from(data.subarray(classic ? 4 : 8, HEADER)), classic };
  }
  if (type === BINDING_INDICATION && !classic) return { kind: 'binding-indication' };
  return { kind: 'ignored', reason: `message type 0x${type.toString(16).padStart(4, '0')} not answered` };
}

/**
 * The Binding success response (RFC 5389 §7.3.1, §10.1.1): the source
 * transport address of the request, as XOR-MAPPED-ADDRESS (§15.2); to a
 * classic RFC 3489 request, as MAPPED-ADDRESS (§15.1) in a 3489 header.
 * Returns undefined when `address` is not an IP literal.
 */
export function stunBindingSuccess(request: Extract<StunParse, { kind: 'binding-request' }>, address: string, port: number): Buffer | undefined {
  const ip = ipToBytes(address);
  if (!ip) return undefined;
  const valueLen = 4 + ip.length;
  const out = Buffer.alloc(HEADER + 4 + valueLen);
  out.writeUInt16BE(BINDING_SUCCESS, 0);
  out.writeUInt16BE(4 + valueLen, 2);
  if (request.classic) request.transactionId.copy(out, 4);
  else {
    out.writeUInt32BE(STUN_MAGIC_COOKIE, 4);
    request.transactionId.copy(out, 8);
  }
  const a = HEADER;
  out.writeUInt16BE(request.classic ? ATTR_MAPPED_ADDRESS : ATTR_XOR_MAPPED_ADDRESS, a);
  out.writeUInt16BE(valueLen, a + 2);
  out[a + 4] = 0;
  out[a + 5] = ip.length === 4 ? 0x01 : 0x02;
  if (request.classic) {
    out.writeUInt16BE(port, a + 6);
    out.set(ip, a + 8);
    return out;
  }
  // §15.2: X-Port is the port XORed with the cookie's top 16 bits; X-Address is the address XORed
  // with the cookie (IPv4) or with the cookie followed by the transaction id (IPv6).
  out.writeUInt16BE(port ^ (STUN_MAGIC_COOKIE >>> 16), a + 6);
  for (let i = 0; i < ip.length; i++) out[a + 8 + i] = ip[i]! ^ out[4 + i]!;
  return out;
}
