import { createHash } from 'node:crypto';

/**
 * The digests kept for a subscriber (Kamailio auth_db columns): ha1 =
 * MD5(user:realm:pw), ha1b = MD5(user@domain:realm:pw), ha1_sha256 =
 * SHA-256(user:realm:pw) (RFC 8760). The realm is the domain, as in
 * Kamailio's default, unless `core.realm` fixes one for every domain.
 */
export function subscriberDigests(username: string, domain: string, password: string, realm: string = domain) {
  const h = (alg: string, s: string) => createHash(alg).update(s, 'utf8').digest('hex');
  return {
    ha1: h('md5', `${username}:${realm}:${password}`),
    ha1b: h('md5', `${username}@${domain}:${realm}:${password}`),
    ha1Sha256: h('sha256', `${username}:${realm}:${password}`),
  };
}
