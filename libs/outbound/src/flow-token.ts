import { createHmac, timingSafeEqual } from 'node:crypto';
import type { TransportName } from '@pbx/sip';
import type { FlowAddress } from './flow-address.js';
import { bytesToIp, ipToBytes } from './ip-bytes.js';

const VERSION = 1;
const MAC_BYTES = 12;
const TRANSPORT_CODES: Readonly<Record<TransportName, number>> = { udp: 1, tcp: 2, tls: 3, ws: 4, wss: 5 };
const TRANSPORTS: readonly (TransportName | undefined)[] = [undefined, 'udp', 'tcp', 'tls', 'ws', 'wss'];
/** Fixed part before the two addresses. */
const HEAD = 11;

/** Why a flow token was refused (each maps to 403 Forbidden at the edge, §5.2). */
export type FlowTokenError = 'malformed' | 'bad_version' | 'bad_mac';

export type FlowTokenResult = { ok: true; flow: FlowAddress } | { ok: false; error: FlowTokenError };

/**
 * Flow tokens (RFC 5626 §5.2): the edge proxy puts one in the user part of
 * the Path (REGISTER) or Record-Route (dialog-forming request) URI it adds,
 * so that a request coming back with that URI as its Route can be sent over
 * exactly the flow the UA used, with no state kept per registration.
 *
 * Layout, then base64url (RFC 4648 §5: only unreserved URI characters, so
 * the token is a valid SIP user part without escaping):
 *
 * ```
 *  byte  0       version (1)
 *        1       transport: 1 udp, 2 tcp, 3 tls, 4 ws, 5 wss
 *        2       families: bit 0 set = local address is IPv6, bit 1 set = peer address is IPv6
 *        3..4    local port (the edge's listening socket), big-endian
 *        5..6    peer port (the UA's source port as seen by the edge)
 *        7..10   connection id (0 for UDP)
 *        11..    local address (4 or 16 bytes), then peer address (4 or 16 bytes)
 *        last 12 HMAC-SHA256 over every byte before it, truncated to 96 bits
 * ```
 *
 * §5.2 asks that the token be "protected against tampering" so that a
 * request cannot be steered onto someone else's flow: the HMAC key is the
 * appliance's flow-token secret (`outbound.flow_token_secret`, else
 * generated into DATA_DIR). A token is checked (constant-time compare)
 * before any of its fields is used.
 */
export class FlowTokenCodec {
  private readonly key: Buffer;

  constructor(secret: string | Buffer) {
    this.key = Buffer.isBuffer(secret) ? secret : Buffer.from(secret, 'utf8');
    if (this.key.length === 0) throw new Error('flow token secret must not be empty');
  }

  encode(f: FlowAddress): string {
    const local = ipToBytes(f.localAddress) ?? new Uint8Array(4);
    const peer = ipToBytes(f.address);
    if (!peer) throw new Error(`flow token: peer address ${f.address} is not an IP literal`);
    const body = Buffer.allocUnsafe(HEAD + local.length + peer.length + MAC_BYTES);
    body[0] = VERSION;
    body[1] = TRANSPORT_CODES[f.transport];
    body[2] = (local.length === 16 ? 1 : 0) | (peer.length === 16 ? 2 : 0);
    body.writeUInt16BE(f.localPort, 3);
    body.writeUInt16BE(f.port, 5);
    body.writeUInt32BE(f.connectionId >>> 0, 7);
    body.set(local, HEAD);
    body.set(peer, HEAD + local.length);
    const macAt = HEAD + local.length + peer.length;
    this.mac(body.subarray(0, macAt)).copy(body, macAt, 0, MAC_BYTES);
    return body.toString('base64url');
  }

  /** Checks the HMAC, then decodes the flow the token names. */
  decode(token: string): FlowTokenResult {
    if (token.length < 20 || token.length > 80 || !/^[A-Za-z0-9_-]+$/.test(token)) return { ok: false, error: 'malformed' };
    const b = Buffer.from(token, 'base64url');
    if (b.length < HEAD + 8 + MAC_BYTES) return { ok: false, error: 'malformed' };
    if (b[0] !== VERSION) return { ok: false, error: 'bad_version' };
    const fam = b[2]!;
    const localLen = fam & 1 ? 16 : 4;
    const peerLen = fam & 2 ? 16 : 4;
    const macAt = HEAD + localLen + peerLen;
    if (b.length !== macAt + MAC_BYTES || fam > 3) return { ok: false, error: 'malformed' };
    const want = this.mac(b.subarray(0, macAt)).subarray(0, MAC_BYTES);
    if (!timingSafeEqual(want, b.subarray(macAt))) return { ok: false, error: 'bad_mac' };
    const transport = TRANSPORTS[b[1]!];
    if (transport === undefined) return { ok: false, error: 'malformed' };
    return {
      ok: true,
      flow: {
        transport,
        localPort: b.readUInt16BE(3),
        port: b.readUInt16BE(5),
        connectionId: b.readUInt32BE(7),
        localAddress: bytesToIp(b.subarray(HEAD, HEAD + localLen)),
        address: bytesToIp(b.subarray(HEAD + localLen, macAt)),
      },
    };
  }

  private mac(data: Buffer): Buffer {
    return createHmac('sha256', this.key).update(data).digest();
  }
}
