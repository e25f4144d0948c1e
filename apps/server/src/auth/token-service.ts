import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Admin API bearer tokens, stateless and HMAC-signed so they survive a
 * restart without a session table.
 *
 * Wire format: `v1.<payload>.<mac>` where payload is base64url(JSON
 * `{ sub, jti, iat, exp }`) (seconds since the epoch) and mac is
 * base64url(HMAC-SHA256(secret, "v1." + payload)). Logout revokes a token
 * by its `jti` until it would have expired anyway.
 */
export interface TokenClaims {
  sub: string;
  jti: string;
  iat: number;
  exp: number;
}

export class TokenService {
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly secret: Buffer,
    private readonly ttlSec: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  issue(subject: string): { token: string; claims: TokenClaims } {
    const iat = Math.floor(this.now() / 1000);
    const claims: TokenClaims = { sub: subject, jti: randomBytes(12).toString('base64url'), iat, exp: iat + this.ttlSec };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { token: `v1.${payload}.${this.mac(payload)}`, claims };
  }

  /** The claims of a valid, unexpired, unrevoked token; otherwise undefined. */
  verify(token: string | undefined): TokenClaims | undefined {
    if (!token) return undefined;
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== 'v1') return undefined;
    const [, payload, mac] = parts as [string, string, string];
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return undefined;
    }
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= this.now()) return undefined;
    if (this.revoked.has(claims.jti)) return undefined;
    return claims;
  }

  revoke(claims: TokenClaims): void {
    this.revoked.set(claims.jti, claims.exp);
    const nowSec = this.now() / 1000;
    for (const [jti, exp] of this.revoked) if (exp <= nowSec) this.revoked.delete(jti);
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.secret).update(`v1.${payload}`).digest('base64url');
  }
}
