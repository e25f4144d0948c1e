/** Why an Authorization / WWW-Authenticate value could not be read. */
export type AuthParseErrorCode =
  /** The scheme is not Digest (e.g. Bearer): not ours to judge, not malformed. */
  | 'not-digest'
  /** The value breaks the auth-param grammar (RFC 3261 §25.1, RFC 7616 §3.3–3.4). */
  | 'syntax'
  /** A parameter appears twice: RFC 7235 §2.1 "each parameter name MUST only occur once per challenge". */
  | 'duplicate-param'
  /** A parameter the RFC makes mandatory is absent. */
  | 'missing-param'
  /** A parameter has a value its grammar does not allow (nc, userhash, username*, qop). */
  | 'bad-value'
  /** Longer than MAX_AUTH_HEADER_LENGTH or more than MAX_AUTH_PARAMS parameters. */
  | 'too-long';

export interface AuthParseError {
  readonly error: AuthParseErrorCode;
  readonly message: string;
}

export function authParseError(error: AuthParseErrorCode, message: string): AuthParseError {
  return { error, message };
}

export function isAuthParseError(x: object): x is AuthParseError {
  return 'error' in x;
}
