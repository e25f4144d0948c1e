import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { DataSource } from 'typeorm';
import { AdminUser } from './admin-user.entity.js';

export const ADMIN_USERNAME = 'admin';

/**
 * Makes sure the `admin` account exists. With ADMIN_PASSWORD set, that is
 * the password (updated when it changed). Without it, a first start
 * generates a strong password, stores only its argon2id hash and returns it
 * so the caller prints it once.
 */
export async function ensureAdminAccount(ds: DataSource, configured: string | undefined): Promise<{ generatedPassword?: string }> {
  const repo = ds.getRepository(AdminUser);
  const existing = await repo.findOneBy({ username: ADMIN_USERNAME });
  if (configured) {
    if (!existing) {
      await repo.insert({ username: ADMIN_USERNAME, passwordHash: await hash(configured) });
    } else if (!(await verify(existing.passwordHash, configured))) {
      existing.passwordHash = await hash(configured);
      await repo.save(existing);
    }
    return {};
  }
  if (existing) return {};
  const generatedPassword = randomBytes(18).toString('base64url');
  await repo.insert({ username: ADMIN_USERNAME, passwordHash: await hash(generatedPassword) });
  return { generatedPassword };
}
