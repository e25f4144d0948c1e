import { randomBytes } from 'node:crypto';

/**
 * The session-id of a Use-Path URI (RFC 4976 §5: "the relay MUST include
 * a session identifier ... that is unguessable"): 15 random bytes as
 * base64url (20 characters of [A-Za-z0-9_-], valid in an MSRP URI path,
 * RFC 4975 §9 `session-id = 1*( unreserved / "+" / "=" / "/" )`).
 * The connection map is keyed by it; it says nothing about the user.
 */
export function newSessionId(): string {
  return randomBytes(15).toString('base64url');
}
