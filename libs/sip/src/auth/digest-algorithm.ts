import { hash } from 'node:crypto';

/**
 * The hash functions we compute digests with. RFC 8760 §2.1 also registers
 * SHA-512-256 for SIP; it is left out because the subscriber table stores
 * only MD5 and SHA-256 HA1 values.
 */
export type DigestAlgorithm = 'MD5' | 'SHA-256';

/** The `algorithm` parameter values we understand (RFC 7616 §3.3, §6.1). */
export type DigestAlgorithmName = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

export interface ParsedDigestAlgorithm {
  /** The canonical spelling, as it goes on the wire. */
  name: DigestAlgorithmName;
  algorithm: DigestAlgorithm;
  /** A `-sess` variant: HA1 also covers the nonce and cnonce (RFC 7616 §3.4.2). */
  sess: boolean;
}

const ALGORITHMS: Record<string, ParsedDigestAlgorithm> = {
  'md5': { name: 'MD5', algorithm: 'MD5', sess: false },
  'md5-sess': { name: 'MD5-sess', algorithm: 'MD5', sess: true },
  'sha-256': { name: 'SHA-256', algorithm: 'SHA-256', sess: false },
  'sha-256-sess': { name: 'SHA-256-sess', algorithm: 'SHA-256', sess: true },
};

/**
 * Reads an `algorithm` parameter value. RFC 7616 §3.3: "If this is not
 * present, it is assumed to be MD5." Values are compared case-insensitively
 * (RFC 7616 §3.3: "a case-insensitive token"). Unknown algorithms give
 * `undefined`: they are well-formed, merely not ours, so they earn a fresh
 * challenge rather than a 400.
 */
export function parseDigestAlgorithm(value: string | undefined): ParsedDigestAlgorithm | undefined {
  if (value === undefined) return ALGORITHMS['md5'];
  return ALGORITHMS[value.toLowerCase()];
}

const NODE_HASH: Record<DigestAlgorithm, string> = { 'MD5': 'md5', 'SHA-256': 'sha256' };

/** Length of a hash in lowercase hex (RFC 8760 §2.2: 32 for MD5, 64 for SHA-256). */
export const DIGEST_HEX_LENGTH: Record<DigestAlgorithm, number> = { 'MD5': 32, 'SHA-256': 64 };

/** H(data) in lowercase hex over the UTF-8 bytes of `data` (RFC 7616 §3.4: "KD and H ... lowercase hex"). */
export function digestHash(algorithm: DigestAlgorithm, data: string): string {
  return hash(NODE_HASH[algorithm], data, 'hex');
}
