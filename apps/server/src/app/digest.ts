import { DigestAuthenticator, type DigestAuthenticatorOptions } from '@pbx/sip';
import type { AppContext } from './app-context.js';

/**
 * The digest authenticator of SIP and MSRP AUTH (one nonce secret, the
 * subscribers' cached credentials, core.nonce_expire and auth_algorithms),
 * or undefined when SIP_AUTH is off. `extra`: what one protocol does
 * differently.
 */
export function digestAuthenticator(ctx: AppContext, extra: Partial<DigestAuthenticatorOptions> = {}): DigestAuthenticator | undefined {
  const { env, pbx } = ctx.config;
  if (!env.sipAuth) return undefined;
  return new DigestAuthenticator({
    secret: ctx.secrets.digestNonce,
    nonceExpiresSec: pbx.core.nonce_expire,
    algorithms: [...pbx.core.auth_algorithms],
    clock: { now: () => Date.now() },
    credentials: (user, realm) => ctx.credentials.lookup(user, realm),
    ...extra,
  });
}
