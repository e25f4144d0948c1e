// SIP digest authentication (RFC 3261 §22, RFC 7616 as applied by RFC 8760).
// Header values in, header values out: no dependency on the message parser.
export { isAuthParseError, type AuthParseError, type AuthParseErrorCode } from './auth-parse-error.js';
export { MAX_AUTH_HEADER_LENGTH, MAX_AUTH_PARAMS } from './auth-params.js';
export {
  parseDigestAlgorithm,
  digestHash,
  DIGEST_HEX_LENGTH,
  type DigestAlgorithm,
  type DigestAlgorithmName,
  type ParsedDigestAlgorithm,
} from './digest-algorithm.js';
export { computeHa1, computeDigestResponse, type DigestResponseInput } from './digest-hash.js';
export { parseDigestCredentials, formatDigestCredentials, type DigestCredentials } from './digest-credentials.js';
export { parseDigestChallenge, formatDigestChallenge, type DigestChallenge } from './digest-challenge.js';
export { NonceService, type NonceServiceOptions, type NonceState, type NonceCheck } from './nonce-service.js';
export {
  NonceCountTracker,
  type NonceCountTrackerOptions,
  type NonceCountVerdict,
} from './nonce-count-tracker.js';
export { requestUrisEquivalent } from './uri-equivalence.js';
export { AUTH_FAILURES, type AuthFailure, type AuthFailureReply } from './auth-failure.js';
export {
  DigestAuthenticator,
  type DigestAuthenticatorOptions,
  type CredentialLookup,
  type StoredHa1,
  type AuthRequest,
  type AuthResult,
  type AuthSuccess,
  type AuthRejection,
} from './digest-authenticator.js';
export { checkIdentity } from './check-identity.js';
export { DigestClient, type DigestClientOptions } from './digest-client.js';
