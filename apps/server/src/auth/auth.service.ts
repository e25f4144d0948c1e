import { HttpException, HttpStatus, Injectable, UnauthorizedException } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';
import { AppContext } from '../app/app-context.js';
import { AdminUser } from './admin-user.entity.js';
import { LoginThrottle } from './login-throttle.js';
import { TokenService, type TokenClaims } from './token-service.js';

const INVALID = 'Invalid username or password';

@Injectable()
export class AuthService {
  private readonly throttle = new LoginThrottle();
  // A fixed hash to verify against when the user does not exist, so the
  // answer takes as long as for a wrong password (no user enumeration).
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly ctx: AppContext,
    private readonly tokens: TokenService,
  ) {}

  async login(username: string, password: string, client: string): Promise<{ token: string; expiresAt: string }> {
    const wait = this.throttle.retryAfterMs(client);
    if (wait > 0) {
      throw new HttpException(
        { statusCode: 429, message: 'Too many login attempts, retry later', retryAfterSec: Math.ceil(wait / 1000) },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const user = await this.ctx.db.dataSource.getRepository(AdminUser).findOneBy({ username });
    const ok = user ? await verify(user.passwordHash, password) : (await verify(await this.dummy(), password), false);
    if (!ok) {
      this.throttle.recordFailure(client);
      this.ctx.logger.warn({ username, client }, 'admin login failed');
      throw new UnauthorizedException(INVALID);
    }
    this.throttle.recordSuccess(client);
    const { token, claims } = this.tokens.issue(username);
    return { token, expiresAt: new Date(claims.exp * 1000).toISOString() };
  }

  logout(claims: TokenClaims): void {
    this.tokens.revoke(claims);
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hash('not-a-password');
    return this.dummyHash;
  }
}
