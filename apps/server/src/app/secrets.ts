import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Secrets generated on first start and kept in `DATA_DIR/secrets.json`
 * (mode 0600) so they survive restarts: API tokens, digest nonces and
 * outbound flow tokens stay valid across a restart. A secret given in the
 * configuration wins over the generated one.
 */
export interface Secrets {
  /** HMAC key of admin API bearer tokens. */
  readonly apiToken: Buffer;
  /** HMAC key of SIP digest nonces. */
  readonly digestNonce: Buffer;
  /** HMAC key of RFC 5626 flow tokens. */
  readonly flowToken: Buffer;
}

type SecretName = keyof Secrets;
const NAMES: SecretName[] = ['apiToken', 'digestNonce', 'flowToken'];

export function loadSecrets(dataDir: string, overrides: Partial<Record<SecretName, string | undefined>> = {}): Secrets {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'secrets.json');
  const stored: Partial<Record<SecretName, string>> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  let changed = false;
  for (const name of NAMES) {
    if (!stored[name]) {
      stored[name] = randomBytes(32).toString('base64');
      changed = true;
    }
  }
  if (changed) writeFileSync(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
  const pick = (name: SecretName) => {
    const o = overrides[name];
    return o ? Buffer.from(o, 'utf8') : Buffer.from(stored[name]!, 'base64');
  };
  return { apiToken: pick('apiToken'), digestNonce: pick('digestNonce'), flowToken: pick('flowToken') };
}
