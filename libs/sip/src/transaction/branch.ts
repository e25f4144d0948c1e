import { randomBytes } from 'node:crypto';
import { MAGIC_COOKIE } from './keys.js';

/**
 * Branch parameters of requests this process originates (RFC 3261
 * §8.1.1.7): the magic cookie, a random per-process part (so branches stay
 * unique across restarts and between nodes) and a counter (unique within the
 * process). Layout: `z9hG4bK` + 8 hex + `.` + base-36 counter.
 */
const PROCESS_PART = randomBytes(4).toString('hex');
let counter = 0;

export function newBranch(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return MAGIC_COOKIE + PROCESS_PART + '.' + counter.toString(36);
}
