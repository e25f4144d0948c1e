import { createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';

/** What a presented nonce is worth (RFC 7616 §3.3 `stale`, §5.4 limited-use nonces). */
export type NonceState = 'valid' | 'stale' | 'invalid';

export type NonceCheck =
  | { state: 'invalid' }
  | { state: 'valid' | 'stale'; /** ms since the epoch */ issuedAt: number; /** last ms it is valid */ expiresAt: number };

export interface NonceServiceOptions {
  /** HMAC key, at least 16 bytes. Nodes that share it accept each other's nonces. */
  secret: Buffer;
  /** Seconds a nonce stays valid (Kamailio auth `nonce_expire`, default 300). */
  expiresSec: number;
}

const VERSION = 0x01;
const TIME_BYTES = 6;
const RANDOM_BYTES = 7;
const TAG_BYTES = 16;
const SIGNED_BYTES = 1 + TIME_BYTES + RANDOM_BYTES; // 14
const NONCE_BYTES = SIGNED_BYTES + TAG_BYTES; // 30
const NONCE_CHARS = (NONCE_BYTES / 3) * 4; // 40, base64url without padding
const NONCE_SYNTAX = /^[A-Za-z0-9_-]{40}$/;

/**
 * Stateless nonces (RFC 7616 §3.3: "the nonce ... might, for example, be
 * constructed as the base 64 encoding of time-stamp H(time-stamp ":" ETag
 * ":" secret-data)"): the server keeps nothing per challenge, any node with
 * the secret can verify, and a restart does not invalidate phones' nonces.
 */
export class NonceService {
  private readonly secret: Buffer;
  private readonly expiresMs: number;
  // One randomFillSync per 585 nonces instead of one each: a flood of
  // unauthenticated requests makes us issue challenges at line rate.
  private readonly pool = Buffer.alloc(RANDOM_BYTES * 585);
  private poolOffset = this.pool.length;

  constructor(opts: NonceServiceOptions) {
    if (opts.secret.length < 16) throw new RangeError('nonce secret must be at least 16 bytes');
    if (!(opts.expiresSec > 0)) throw new RangeError('nonce expiry must be a positive number of seconds');
    this.secret = Buffer.from(opts.secret);
    this.expiresMs = opts.expiresSec * 1000;
  }

  /**
   * Wire format (a quoted-string's worth of base64url, 40 characters, no
   * padding; 30 bytes before encoding):
   *
   *   byte 0        version, 0x01
   *   bytes 1..6    issue time, ms since the epoch, unsigned big-endian (48 bits: year 10889)
   *   bytes 7..13   7 random bytes: two challenges in the same millisecond
   *                 must still differ, because nonce-count history is kept
   *                 per nonce and two phones sharing one would refuse each
   *                 other's nc=00000001 as a replay
   *   bytes 14..29  HMAC-SHA256(secret, bytes 0..13), first 16 bytes (128-bit tag)
   *
   * The time is in the clear on purpose: it is not a secret, and reading it
   * lets `check` tell a stale nonce (authentic, too old: answer stale=true)
   * from a forged one without any server-side state.
   */
  issue(now: number): string {
    const buf = Buffer.allocUnsafe(NONCE_BYTES);
    buf[0] = VERSION;
    buf.writeUIntBE(Math.max(0, Math.floor(now)), 1, TIME_BYTES);
    if (this.poolOffset === this.pool.length) {
      randomFillSync(this.pool);
      this.poolOffset = 0;
    }
    this.pool.copy(buf, 1 + TIME_BYTES, this.poolOffset, this.poolOffset + RANDOM_BYTES);
    this.poolOffset += RANDOM_BYTES;
    this.tag(buf.subarray(0, SIGNED_BYTES)).copy(buf, SIGNED_BYTES, 0, TAG_BYTES);
    return buf.toString('base64url');
  }

  /** 'valid', 'stale' (authentic but expired) or 'invalid' (forged, garbled, other secret). */
  check(nonce: string, now: number): NonceState {
    return this.verify(nonce, now).state;
  }

  /** Like `check`, with the issue and expiry times of an authentic nonce. */
  verify(nonce: string, now: number): NonceCheck {
    if (nonce.length !== NONCE_CHARS || !NONCE_SYNTAX.test(nonce)) return { state: 'invalid' };
    // 40 base64url characters decode to exactly 30 bytes, one string per byte string.
    const buf = Buffer.from(nonce, 'base64url');
    if (buf.length !== NONCE_BYTES || buf[0] !== VERSION) return { state: 'invalid' };
    const expected = this.tag(buf.subarray(0, SIGNED_BYTES)).subarray(0, TAG_BYTES);
    if (!timingSafeEqual(expected, buf.subarray(SIGNED_BYTES))) return { state: 'invalid' };
    const issuedAt = buf.readUIntBE(1, TIME_BYTES);
    const expiresAt = issuedAt + this.expiresMs;
    // Issued "in the future" means our clock stepped back: authentic, so
    // answer stale and let the phone retry silently with a fresh nonce.
    const state = issuedAt > now || now > expiresAt ? 'stale' : 'valid';
    return { state, issuedAt, expiresAt };
  }

  private tag(signed: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(signed).digest();
  }
}
