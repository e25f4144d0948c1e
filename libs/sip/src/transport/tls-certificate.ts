import { createPrivateKey, X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface TlsCertificate {
  /** PEM certificate. */
  cert: string;
  /** PEM private key. */
  key: string;
  /** True when this call created the pair. */
  generated: boolean;
}

/** Validity of a generated certificate: long, because an appliance's self-signed cert is replaced, not renewed. */
const VALIDITY_YEARS = 10;

/**
 * The appliance's TLS certificate for tls/wss listeners: `${dataDir}/tls/sip.crt`
 * and `sip.key`. On first call a self-signed RSA-2048/SHA-256 certificate is
 * generated (selfsigned v5, async) for `hostnames` — names become DNS SANs,
 * IP literals IP SANs, the first one the common name — and written with the
 * key readable by the owner only (0600). Later calls read the pair back and
 * check that the key belongs to the certificate; an operator may replace both
 * files with a real certificate.
 */
export async function ensureTlsCertificate(dataDir: string, hostnames?: string[]): Promise<TlsCertificate> {
  const dir = join(dataDir, 'tls');
  const certPath = join(dir, 'sip.crt');
  const keyPath = join(dir, 'sip.key');

  const existing = await readPair(certPath, keyPath);
  if (existing) {
    assertKeyMatches(existing.cert, existing.key, certPath, keyPath);
    return { ...existing, generated: false };
  }

  const names = hostnames && hostnames.length > 0 ? hostnames : [hostname(), 'localhost', '127.0.0.1', '::1'];
  const unique = [...new Set(names.filter((n) => n.length > 0))];
  const commonName = unique.find((n) => isIP(n) === 0) ?? unique[0] ?? 'localhost';
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate);
  notAfterDate.setFullYear(notAfterDate.getFullYear() + VALIDITY_YEARS);
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      // SIP servers are TLS clients too (RFC 5922 §7.3: mutual TLS between proxies).
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      {
        name: 'subjectAltName',
        altNames: unique.map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })),
      },
    ],
  });

  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Write to temporary names and rename, so a crash never leaves half a pair behind.
  await writeFile(`${keyPath}.tmp`, pems.private, { mode: 0o600 });
  await chmod(`${keyPath}.tmp`, 0o600);
  await writeFile(`${certPath}.tmp`, pems.cert, { mode: 0o644 });
  await rename(`${keyPath}.tmp`, keyPath);
  await rename(`${certPath}.tmp`, certPath);
  return { cert: pems.cert, key: pems.private, generated: true };
}

async function readPair(certPath: string, keyPath: string): Promise<{ cert: string; key: string } | null> {
  const [cert, key] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
  // A lone file (an interrupted first start) is regenerated together with its missing half.
  return cert !== null && key !== null ? { cert, key } : null;
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function assertKeyMatches(cert: string, key: string, certPath: string, keyPath: string): void {
  let ok: boolean;
  try {
    ok = new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
  } catch (err) {
    throw new Error(`TLS certificate ${certPath} or key ${keyPath} cannot be read: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!ok) throw new Error(`TLS key ${keyPath} does not belong to certificate ${certPath}`);
}
