import type { DataSource } from 'typeorm';

/**
 * Subscribers' digests held in memory so SIP and MSRP digest checks never
 * wait on the database. Loaded at start; the subscribers service updates it
 * on every API change.
 */
export interface CachedCredentials {
  ha1Md5: string;
  ha1Sha256: string;
}

export class CredentialCache {
  private readonly byAccount = new Map<string, CachedCredentials>();

  static key(username: string, domain: string): string {
    return `${username}@${domain.toLowerCase()}`;
  }

  set(username: string, domain: string, c: CachedCredentials): void {
    this.byAccount.set(CredentialCache.key(username, domain), c);
  }

  delete(username: string, domain: string): void {
    this.byAccount.delete(CredentialCache.key(username, domain));
  }

  /** Credentials of `username` in `realm` (realm = domain). */
  lookup(username: string, realm: string): CachedCredentials | undefined {
    return this.byAccount.get(CredentialCache.key(username, realm));
  }

  /** Whether any subscriber exists in `domain` with that user name. */
  has(username: string, domain: string): boolean {
    return this.byAccount.has(CredentialCache.key(username, domain));
  }

  get size(): number {
    return this.byAccount.size;
  }

  replaceAll(rows: Iterable<{ username: string; domain: string } & CachedCredentials>): void {
    this.byAccount.clear();
    for (const r of rows) this.set(r.username, r.domain, { ha1Md5: r.ha1Md5, ha1Sha256: r.ha1Sha256 });
  }
}

/** Fills a cache from the `subscriber` table (at start, and on demand). */
export async function loadCredentials(ds: DataSource, cache: CredentialCache): Promise<void> {
  const rows: Array<{ username: string; domain: string; ha1: string; ha1_sha256: string }> = await ds.query(
    'SELECT username, domain, ha1, ha1_sha256 FROM subscriber',
  );
  cache.replaceAll(rows.map((r) => ({ username: r.username, domain: r.domain, ha1Md5: r.ha1, ha1Sha256: r.ha1_sha256 })));
}
