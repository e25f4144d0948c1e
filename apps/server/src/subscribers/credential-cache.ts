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

  /** `fixedRealm`: `core.realm`, the one realm of every domain; unset = realm is the domain. */
  constructor(private readonly fixedRealm?: string) {}

  /** The digest realm of a domain's subscribers (their HA1 is hashed with it). */
  realmOf(domain: string): string {
    return this.fixedRealm ?? domain.toLowerCase();
  }

  private key(username: string, realm: string): string {
    return `${username}@${realm.toLowerCase()}`;
  }

  set(username: string, domain: string, c: CachedCredentials): void {
    this.byAccount.set(this.key(username, this.realmOf(domain)), c);
  }

  delete(username: string, domain: string): void {
    this.byAccount.delete(this.key(username, this.realmOf(domain)));
  }

  /** Credentials of `username` in `realm`, as the digest check asks for them. */
  lookup(username: string, realm: string): CachedCredentials | undefined {
    return this.byAccount.get(this.key(username, realm));
  }

  /** Whether a subscriber of that name exists in `domain`. */
  has(username: string, domain: string): boolean {
    return this.byAccount.has(this.key(username, this.realmOf(domain)));
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
